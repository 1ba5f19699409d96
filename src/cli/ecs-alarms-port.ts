/**
 * How ECS reads the CloudWatch alarms that watch its deployments: their states read through
 * ECS's own transaction (guarded, so a state change before the commit makes the service decide
 * again), and changes followed in memory (an informer over `alarms/`) so a deployment hears at
 * once that one of its alarms went into ALARM.
 */
import type { AlarmsPort, DeploymentAlarm } from '../ecs/index.ts';
import { alarmPeriod, metricKeys, parseAlarmKey, type AlarmRecord } from '../metrics/index.ts';
import { decodeJson, Informer, type Store } from '../state/index.ts';

/** The alarms port over `store`; `close` stops its informer. */
export function ecsAlarmsPort(store: Store, onError: (error: unknown) => void): AlarmsPort & { close(): void } {
  const alarms = new Informer<AlarmRecord>({ store, prefix: metricKeys.allAlarms, decode: decodeJson, onError });
  return {
    async read(tx, scope, names) {
      const found: DeploymentAlarm[] = [];
      for (const name of new Set(names)) {
        const a = await tx.get<AlarmRecord>(metricKeys.alarm(scope, name));
        if (a) found.push({ name, state: a.state, windowMs: alarmPeriod(a) * a.evaluationPeriods * 1000 });
      }
      return found;
    },
    subscribe(listener) {
      void alarms.start().catch(onError);
      return alarms.subscribe((c) => {
        // Only what the deployment looks at: the state (and the alarm's coming or going).
        if (c.type === 'update' && c.previous.state === c.value.state) return;
        const at = parseAlarmKey(c.key);
        if (at) listener(at.scope, at.name);
      });
    },
    close: () => alarms.close(),
  };
}
