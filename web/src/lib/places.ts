// Countries (ISO 3166-1 alpha-2) and languages for the sign-up, profile and address forms, named by the browser.

const countryCodes = (
  'AD AE AF AG AI AL AM AO AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU ' +
  'CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GT GU GW GY HK HN HR HT HU ID ' +
  'IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ ' +
  'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH ' +
  'SI SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const languageNames = new Intl.DisplayNames(['en'], { type: 'language' });

export function countryName(code: string | null | undefined): string {
  if (!code) return '—';
  try {
    return regionNames.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

export const countryOptions: ReadonlyArray<{ value: string; label: string }> = countryCodes
  .map((code) => ({ value: code, label: countryName(code) }))
  .sort((left, right) => left.label.localeCompare(right.label, 'en'));

const languageCodes = ['en', 'de', 'es', 'fr', 'it', 'nl', 'pt', 'pl', 'sv', 'da', 'fi', 'nb', 'cs', 'ja', 'ko', 'zh'];

export function languageName(code: string | null | undefined): string {
  if (!code) return '—';
  try {
    return languageNames.of(code) ?? code;
  } catch {
    return code;
  }
}

export const languageOptions: ReadonlyArray<{ value: string; label: string }> = languageCodes
  .map((code) => ({ value: code, label: languageName(code) }))
  .sort((left, right) => left.label.localeCompare(right.label, 'en'));
