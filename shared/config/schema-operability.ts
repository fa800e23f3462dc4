// `operability:` in autopilot.yml: the alarms the stack keeps on ecs-autopilot itself (the
// dashboard and the other alarms need no setting).
import * as z from 'zod/mini';

const about = (description: string) => z.describe(description);

export const operabilitySchema = z
  .strictObject({
    killSwitchAlarmMinutes: z._default(
      z.int().check(z.minimum(5), z.maximum(1440), z.multipleOf(5), about('Alarm when the remediation kill switch stays engaged this long (5 to 1440 minutes, a multiple of 5).')),
      60,
    ),
  })
  .check(about("Alarms on ecs-autopilot itself; they notify through the stack's SNS topic."));

export const OPERABILITY_DEFAULTS = { killSwitchAlarmMinutes: 60 };
