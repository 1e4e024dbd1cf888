import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultSettings,
  envName,
  functionSettingNames,
  type StackSettingName,
  settingNames,
  settingsEnvironment,
  settingsFromEnv,
} from '../../functions/shared/settings';
import { configurationDoc } from '../../scripts/configuration-doc';

describe('the settings description', () => {
  it('gives each setting one environment name, HERALD_ and the name in capitals', () => {
    expect(envName('deliveryTimeoutMs')).toBe('HERALD_DELIVERY_TIMEOUT_MS');
    expect(envName('autoDisableAfterSeconds')).toBe('HERALD_AUTO_DISABLE_AFTER_SECONDS');
    expect(envName('sendSvixHeaders')).toBe('HERALD_SEND_SVIX_HEADERS');
    const all = settingNames('stack').concat(settingNames('local'));
    expect(new Set(all.map(envName)).size).toBe(new Set(all).size);
  });

  it('keeps local-only settings out of the stack, and stack-only ones out of local mode', () => {
    expect(settingNames('stack')).not.toContain('allowPrivateTargets');
    expect(settingNames('local')).toContain('allowPrivateTargets');
    expect(settingNames('local')).not.toContain('alarmEmail');
    // @ts-expect-error: the stack's settings type has no local-only setting.
    const local: StackSettingName = 'allowPrivateTargets';
    expect(local).toBe('allowPrivateTargets');
  });

  it('defaults to safe values deployed and to a developer’s machine locally', () => {
    expect(defaultSettings().allowPrivateTargets).toBe(false);
    expect(defaultSettings('local').allowPrivateTargets).toBe(true);
  });

  it('round-trips every function’s settings through its environment variables', () => {
    const values = { ...defaultSettings(), allowedEnvironments: ['qa', 'prod'], deliveryTimeoutMs: 2500 };
    for (const fn of ['api', 'router', 'delivery'] as const) {
      const names = functionSettingNames(fn);
      const back = settingsFromEnv(settingsEnvironment(values, names), names);
      for (const name of names) expect(back[name]).toEqual(values[name]);
    }
  });

  it('names every bad variable at once', () => {
    expect(() =>
      settingsFromEnv(
        { HERALD_DELIVERY_TIMEOUT_MS: '50', HERALD_SEND_SVIX_HEADERS: 'maybe' },
        functionSettingNames('delivery'),
      ),
    ).toThrow(
      /HERALD_SEND_SVIX_HEADERS: .*; HERALD_DELIVERY_TIMEOUT_MS: |HERALD_DELIVERY_TIMEOUT_MS: .*; HERALD_SEND_SVIX_HEADERS: /,
    );
  });

  it('is what docs/configuration.md says (npm run docs rewrites it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    expect(committed).toBe(configurationDoc());
  });
});
