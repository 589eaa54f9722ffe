import { ComputedDefault, SETTINGS, type AnySetting } from './config.js';
import { REMOVED_SETTINGS, type RemovedSetting } from './removed-settings.js';

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

const REMOVED_INTRO = `## Removed settings

A value still given for one of these is accepted and does nothing; \`pacerpro-auth\` prints a warning
naming it at every start.
`;

const removedItem = ({ env, flag, why }: RemovedSetting) => `- ${code(env)} (${code(`--${flag}`)}): ${why}.`;

/** The whole text of docs/configuration.md. */
export function configurationDocument(
  settings: readonly AnySetting[] = SETTINGS,
  removed: readonly RemovedSetting[] = REMOVED_SETTINGS,
): string {
  const table = ['| Variable | Flag | Default | Accepted values | Meaning |', '| --- | --- | --- | --- | --- |', ...settings.map(row)];
  const document = `${INTRO}\n${table.join('\n')}\n`;
  return removed.length === 0 ? document : `${document}\n${REMOVED_INTRO}\n${removed.map(removedItem).join('\n')}\n`;
}
