// The two details that decide whether a person may join (AC-2): country of residence and date of birth. Asked by the
// sign-up form and again when a sign-up through a sign-in provider is completed (AC-7).
import { countryOptions } from '../lib/places.ts';
import { SelectField, TextField, type FormState } from './forms.tsx';

export interface Eligibility {
  country: string;
  dateOfBirth: string;
}

/** The form's own checks of the two fields, to put in `check([...])`. */
export function eligibilityRules({ country, dateOfBirth }: Eligibility): Array<[field: string, failed: boolean, message: string]> {
  return [
    ['country', country === '', 'Choose the country you live in.'],
    ['dateOfBirth', dateOfBirth === '', 'Enter your date of birth.'],
  ];
}

export function EligibilityFields({ form, value, onValue }: { form: FormState; value: Eligibility; onValue: (change: Partial<Eligibility>) => void }) {
  return (
    <>
      <SelectField
        form={form}
        name="country"
        label="Country of residence"
        value={value.country}
        onValue={(country) => onValue({ country })}
        options={countryOptions}
        placeholder="Choose a country"
        autoComplete="country"
      />
      <TextField
        form={form}
        name="dateOfBirth"
        label="Date of birth"
        type="date"
        value={value.dateOfBirth}
        onValue={(dateOfBirth) => onValue({ dateOfBirth })}
        autoComplete="bday"
        hint="The minimum age to join depends on your country."
      />
    </>
  );
}
