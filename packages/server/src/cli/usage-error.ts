// The words of a usage error, in the client CLI's style: what was wrong, then which --help to read.
// Node's parseArgs messages (positional arguments after '--', '--limit=-XYZ') describe its parser,
// not this CLI, so each is rephrased here; pure over the parser's error and argv.

const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  serve: [],
  users: ['add', 'list', 'passwd', 'lock', 'unlock', 'revoke', 'delete'],
  audit: [],
  import: ['devise'],
};

/** The command a user typed, e.g. "users list", to point at its --help. */
export function commandOf(argv: readonly string[]): string {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const [command, sub] = words;
  if (command === undefined || !(command in COMMANDS)) return 'pacerpro-auth';
  return COMMANDS[command]!.includes(sub ?? '') ? `pacerpro-auth ${command} ${sub}` : `pacerpro-auth ${command}`;
}

const OPTION_FIXES: Readonly<Record<string, string>> = {
  // A password in argv shows in `ps` and shell history.
  '--password': 'passwords never come from the command line: pipe the password in with --password-stdin, or leave it out to be prompted',
};

/** What an option's value must look like, when the value given started with '-'. */
const VALUE_FORMS: Readonly<Record<string, string>> = {
  '--limit': 'a whole number of events from 1 to 100000, e.g. --limit 50',
};

export function usageMessage(error: { code?: unknown; message: string }, argv: readonly string[]): string {
  const help = `see '${commandOf(argv)} --help'`;
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  if (unknown) {
    const option = unknown[1]!.split('=')[0]!;
    const fix = OPTION_FIXES[option];
    return fix === undefined ? `Unknown option '${option}': ${help}` : `${option}: ${fix}`;
  }
  const ambiguous =
    /^Option '(--[a-z-]+)(?: <value>)?' argument is ambiguous/.exec(error.message) ?? /^Option '(--[a-z-]+)/.exec(error.message);
  if (ambiguous) {
    const option = ambiguous[1]!;
    const form = VALUE_FORMS[option];
    const value = argv[argv.indexOf(option) + 1];
    const given = value === undefined ? 'no value' : `'${value}'`;
    return `${option} needs a value${form === undefined ? '' : ` (${form})`}, but was given ${given}: ${help}`;
  }
  return `${error.message.replace(/\.$/, '')}: ${help}`;
}
