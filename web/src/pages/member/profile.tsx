// /account/profile: names, phone, date of birth, language (AC-8) and the address book.
import { RestrictionNotice } from '../../components/privacy.tsx';
import { useEffect, useState } from 'react';
import { accountsApi, type Address, type AddressInput, type MemberProfile, type ProfileChanges } from '../../api/accounts.ts';
import { ErrorSummary, SelectField, StatusMessage, SubmitButton, TextField, check, useForm } from '../../components/forms.tsx';
import { ErrorPanel, Loading, Page } from '../../components/layout.tsx';
import { countryName, countryOptions, languageOptions } from '../../lib/places.ts';
import { useResource } from '../../lib/use-resource.ts';
import { formatDate } from '../../lib/format.ts';

const emptyToNull = (value: string): string | null => (value.trim() === '' ? null : value.trim());

function ProfileForm({ profile, onSaved }: { profile: MemberProfile; onSaved: (profile: MemberProfile) => void }) {
  const form = useForm({ codeFields: { not_eligible: 'dateOfBirth' } });
  const [firstName, setFirstName] = useState(profile.firstName ?? '');
  const [lastName, setLastName] = useState(profile.lastName ?? '');
  const [preferredName, setPreferredName] = useState(profile.preferredName ?? '');
  const [phone, setPhone] = useState(profile.phone ?? '');
  const [dateOfBirth, setDateOfBirth] = useState(profile.dateOfBirth ?? '');
  const [language, setLanguage] = useState(profile.language ?? '');
  const [country, setCountry] = useState(profile.country ?? '');
  const [saved, setSaved] = useState(false);

  return (
    <form
      className="stack"
      noValidate
      aria-labelledby="personal-details"
      onSubmit={form.handle(async () => {
        setSaved(false);
        const changes: ProfileChanges = {
          firstName: emptyToNull(firstName),
          lastName: emptyToNull(lastName),
          preferredName: emptyToNull(preferredName),
          phone: emptyToNull(phone),
          language: emptyToNull(language),
        };
        // A date of birth or country cannot be removed once given, and each is checked for eligibility (AC-2):
        // they are sent only when they changed.
        if (dateOfBirth !== (profile.dateOfBirth ?? '')) {
          check([['dateOfBirth', dateOfBirth === '', 'Your date of birth cannot be removed, only corrected.']]);
          changes.dateOfBirth = dateOfBirth;
        }
        if (country !== (profile.country ?? '')) {
          check([['country', country === '', 'Choose the country you live in.']]);
          changes.country = country;
        }
        const updated = await accountsApi.updateMe(changes);
        onSaved(updated);
        setPhone(updated.phone ?? '');
        setSaved(true);
      })}
    >
      <h2 id="personal-details">Personal details</h2>
      <ErrorSummary form={form} />
      <div className="field-row">
        <TextField form={form} name="firstName" label="First name" optional value={firstName} onValue={setFirstName} autoComplete="given-name" />
        <TextField form={form} name="lastName" label="Last name" optional value={lastName} onValue={setLastName} autoComplete="family-name" />
      </div>
      <TextField
        form={form}
        name="preferredName"
        label="Preferred name"
        optional
        value={preferredName}
        onValue={setPreferredName}
        autoComplete="nickname"
        hint="What we call you in emails and on this site."
      />
      <div className="field-row">
        <TextField
          form={form}
          name="phone"
          label="Phone number"
          optional
          type="tel"
          value={phone}
          onValue={setPhone}
          autoComplete="tel"
          hint="Include the country code, for example +1 415 555 0100."
        />
        <TextField
          form={form}
          name="dateOfBirth"
          label="Date of birth"
          type="date"
          optional={profile.dateOfBirth === null}
          value={dateOfBirth}
          onValue={setDateOfBirth}
          autoComplete="bday"
        />
      </div>
      <div className="field-row">
        <SelectField form={form} name="country" label="Country of residence" value={country} onValue={setCountry} options={countryOptions} placeholder="Choose a country" autoComplete="country" />
        <SelectField form={form} name="language" label="Language" optional value={language} onValue={setLanguage} options={languageOptions} placeholder="No preference" />
      </div>
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…">
          Save profile
        </SubmitButton>
        {saved && <StatusMessage>Your profile has been saved.</StatusMessage>}
      </div>
    </form>
  );
}

const blankAddress: AddressInput = { line1: '', line2: '', city: '', region: '', postalCode: '', country: '' };

function toInput(address: AddressInput): AddressInput {
  return {
    line1: address.line1.trim(),
    line2: emptyToNull(address.line2 ?? ''),
    city: address.city.trim(),
    region: emptyToNull(address.region ?? ''),
    postalCode: emptyToNull(address.postalCode ?? ''),
    country: address.country,
  };
}

function AddressForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: AddressInput;
  submitLabel: string;
  onSubmit: (input: AddressInput) => Promise<void>;
  onCancel: () => void;
}) {
  const form = useForm();
  const [address, setAddress] = useState<AddressInput>(initial);
  const set = (field: keyof AddressInput) => (value: string) => setAddress((current) => ({ ...current, [field]: value }));
  return (
    <form
      className="stack address-form"
      noValidate
      aria-label={submitLabel}
      onSubmit={form.handle(async () => {
        check([
          ['line1', address.line1.trim() === '', 'Enter the street and number.'],
          ['city', address.city.trim() === '', 'Enter the town or city.'],
          ['country', address.country === '', 'Choose the country.'],
        ]);
        await onSubmit(toInput(address));
      })}
    >
      <ErrorSummary form={form} />
      <TextField form={form} name="line1" label="Address line 1" value={address.line1} onValue={set('line1')} autoComplete="address-line1" />
      <TextField form={form} name="line2" label="Address line 2" optional value={address.line2 ?? ''} onValue={set('line2')} autoComplete="address-line2" />
      <div className="field-row">
        <TextField form={form} name="city" label="Town or city" value={address.city} onValue={set('city')} autoComplete="address-level2" />
        <TextField form={form} name="region" label="State, province or region" optional value={address.region ?? ''} onValue={set('region')} autoComplete="address-level1" />
      </div>
      <div className="field-row">
        <TextField form={form} name="postalCode" label="Postal code" optional value={address.postalCode ?? ''} onValue={set('postalCode')} autoComplete="postal-code" />
        <SelectField form={form} name="country" label="Country" value={address.country} onValue={set('country')} options={countryOptions} placeholder="Choose a country" autoComplete="country" />
      </div>
      <div className="actions">
        <SubmitButton form={form} busyText="Saving…">
          {submitLabel}
        </SubmitButton>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function formatAddress(address: Address): string[] {
  return [
    address.line1,
    address.line2 ?? '',
    [address.postalCode, address.city].filter(Boolean).join(' '),
    address.region ?? '',
    countryName(address.country),
  ].filter((line) => line.trim() !== '');
}

function AddressBook() {
  const addresses = useResource(() => accountsApi.addresses(), []);
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const removeForm = useForm();
  const list = addresses.data?.addresses ?? [];

  return (
    <section className="card" aria-labelledby="addresses-title">
      <div className="section-header">
        <h2 id="addresses-title">Addresses</h2>
        {editing === null && (
          <button
            type="button"
            className="button secondary small"
            onClick={() => {
              setStatus(null);
              setEditing('new');
            }}
          >
            Add an address
          </button>
        )}
      </div>
      {status && <StatusMessage>{status}</StatusMessage>}
      <ErrorSummary form={removeForm} />
      {addresses.loading && !addresses.data && <Loading label="Loading addresses…" />}
      {addresses.error !== undefined && <ErrorPanel error={addresses.error} onRetry={addresses.reload} />}
      {editing === 'new' && (
        <AddressForm
          initial={blankAddress}
          submitLabel="Save address"
          onCancel={() => setEditing(null)}
          onSubmit={async (input) => {
            await accountsApi.addAddress(input);
            setEditing(null);
            setStatus('Address added.');
            addresses.reload();
          }}
        />
      )}
      {addresses.data && list.length === 0 && editing !== 'new' && <p className="muted">You have no saved addresses yet.</p>}
      {list.length > 0 && (
        <ul className="address-list">
          {list.map((address) =>
            editing === address.id ? (
              <li key={address.id}>
                <AddressForm
                  initial={{ line1: address.line1, line2: address.line2, city: address.city, region: address.region, postalCode: address.postalCode, country: address.country }}
                  submitLabel="Save changes"
                  onCancel={() => setEditing(null)}
                  onSubmit={async (input) => {
                    await accountsApi.updateAddress(address.id, input);
                    setEditing(null);
                    setStatus('Address updated.');
                    addresses.reload();
                  }}
                />
              </li>
            ) : (
              <li key={address.id} className="address-item">
                <address>
                  {formatAddress(address).map((line, index) => (
                    <span key={index}>{line}</span>
                  ))}
                </address>
                <div className="row-actions">
                  <button type="button" className="button secondary small" onClick={() => setEditing(address.id)} aria-label={`Edit address ${address.line1}`}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className="button danger-outline small"
                    aria-label={`Remove address ${address.line1}`}
                    onClick={() => {
                      removeForm.clear();
                      accountsApi.removeAddress(address.id).then(() => {
                        setStatus('Address removed.');
                        addresses.reload();
                      }, removeForm.report);
                    }}
                  >
                    Remove
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
}

export function ProfilePage() {
  const profile = useResource(() => accountsApi.me(), []);
  const [current, setCurrent] = useState<MemberProfile | undefined>(undefined);
  useEffect(() => {
    if (profile.data) setCurrent(profile.data);
  }, [profile.data]);
  return (
    <Page title="Profile" lead="How we address you and where we send your orders.">
      <RestrictionNotice />
      {profile.loading && !current && <Loading />}
      {profile.error !== undefined && <ErrorPanel error={profile.error} onRetry={profile.reload} />}
      {current && (
        <div className="stack-large">
          <section className="card" aria-label="Personal details">
            <dl className="facts facts-inline">
              <div>
                <dt>Email</dt>
                <dd>
                  {current.email}{' '}
                  {current.emailVerified ? <span className="badge success">Confirmed</span> : <span className="badge warning">Not confirmed</span>}
                </dd>
              </div>
              <div>
                <dt>Member since</dt>
                <dd>{formatDate(current.createdAt)}</dd>
              </div>
            </dl>
            <ProfileForm profile={current} onSaved={setCurrent} />
          </section>
          <AddressBook />
        </div>
      )}
    </Page>
  );
}
