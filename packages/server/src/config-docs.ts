import { ComputedDefault, SETTINGS, type AnySetting } from './config.js';

// docs/configuration.md, generated from SETTINGS so that the settings table is never written by
// hand: `npm run docs` writes the committed copy, and a test fails while it differs from this.

const INTRO = `# Configuration

<!-- Generated from SETTINGS in packages/server/src/config.ts by \`npm run docs\`: change the settings there, then run it. -->

Every setting is an environment variable and a flag (\`pacerpro-auth serve --port 8080\`); a flag wins
over the environment, and an empty variable counts as unset. A bad value stops start-up with a
message naming the setting and the accepted form. \`pacerpro-auth serve --help\` lists the same
settings in short.
`;

const code = (text: string) => `\`${text}\``;

/** A | inside a cell would end it early. */
const cell = (text: string) => text.replaceAll('|', '\\|');

/** The default as the docs write it: an unset setting (or an empty list, or `false`) reads "unset", and its meaning says what that does. */
export function shownDefault(setting: AnySetting): string {
  const value = setting.defaultValue;
  if (value instanceof ComputedDefault) return value.shown;
  if (setting.defaultShown !== undefined) return code(setting.defaultShown);
  if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) return 'unset';
  return code(String(value));
}

function row(setting: AnySetting): string {
  const meaning = setting.details === undefined ? setting.describe : `${setting.describe}; ${setting.details}`;
  const cells = [code(setting.env), code(`--${setting.flag}`), shownDefault(setting), setting.accepted, meaning];
  return `| ${cells.map(cell).join(' | ')} |`;
}

/** The whole text of docs/configuration.md. */
export function configurationDocument(settings: readonly AnySetting[] = SETTINGS): string {
  const table = ['| Variable | Flag | Default | Accepted values | Meaning |', '| --- | --- | --- | --- | --- |', ...settings.map(row)];
  return `${INTRO}\n${table.join('\n')}\n`;
}
