// Settings that were removed. A value still given for one is accepted and warned about at every
// start, never silently ignored: refusing it would stop a rolling upgrade for a setting whose
// removal only made the server safer, and ignoring it would leave the operator believing it works.

export interface RemovedSetting {
  readonly env: string;
  readonly flag: string;
  /** Why it went, and what happens now instead: the end of the warning, and the docs' row. */
  readonly why: string;
}

export const REMOVED_SETTINGS: readonly RemovedSetting[] = [
  {
    env: 'PACERPRO_AUDIT_FLUSH_MS',
    flag: 'audit-flush-ms',
    why:
      'audit events are no longer written in timed batches, which lost the events of answered requests on a crash: ' +
      'each is committed before its request answers (the events of one event-loop turn together)',
  },
];

/** One warning for each removed setting given, by flag or in the environment (an empty variable counts as unset). */
export function removedSettingWarnings(
  env: Readonly<Record<string, string | undefined>>,
  flags: Readonly<Record<string, string | boolean | undefined>>,
): string[] {
  return REMOVED_SETTINGS.filter((s) => flags[s.flag] !== undefined || (env[s.env] ?? '') !== '').map(
    (s) => `${s.env} (--${s.flag}) was removed and does nothing: ${s.why}. Remove it from the configuration.`,
  );
}
