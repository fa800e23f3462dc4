// The stack's watch on ecs-autopilot itself, generated from the metric catalogue
// (shared/lambda/metrics.ts) and the functions serverless.yml declares, so that a new metric or a
// new function shows up on the dashboard and in the handler-errors alarm without another edit here.
//
// Metrics are found with SEARCH on the namespace, metric name and stage, not with a fixed list of
// dimension values: kinds, receivers, playbooks and destinations are open sets.
const fs = require('node:fs');
const path = require('node:path');
const { parse } = require('yaml');
const loadTs = require('./load-ts.cjs');

const root = path.resolve(__dirname, '..');

/**
 * A function declared by a variable (`scale: ${file(./build/serverless-vars.cjs):scaleFunction, null}`)
 * exists only when the configuration asks for it: the variable resolves to null otherwise.
 */
function declared(declaration) {
  const variable = typeof declaration === 'string' ? /serverless-vars\.cjs\):(\w+)/.exec(declaration) : null;
  if (!variable) return true;
  return require('./serverless-vars.cjs')[variable[1]]({ resolveVariable: () => 'stage' }) !== null;
}

/** The functions serverless.yml declares, each with the logical id the framework gives its Lambda function. */
function stackFunctions() {
  const template = parse(fs.readFileSync(path.join(root, 'serverless.yml'), 'utf8'));
  return Object.entries(template.functions ?? {}).filter(([, declaration]) => declared(declaration)).map(([name]) => ({
    name,
    logicalId: `${name[0].toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LambdaFunction`,
  }));
}

/**
 * The dashboard's widgets over the catalogue, row by row. Each catalogue metric appears in exactly
 * one widget (a package test checks this); `stat` is how it is read.
 */
const ROWS = [
  {
    row: 'notify',
    widgets: [
      { title: 'Events in, by kind', metrics: ['eventsIn'], stat: 'Sum' },
      { title: 'Events handled, by kind and outcome', metrics: ['eventsHandled'], stat: 'Sum' },
      { title: 'Notifications, by receiver and outcome', metrics: ['notifications'], stat: 'Sum' },
      { title: 'Delay from ECS event to delivered notification (ms)', metrics: ['notificationDelay'], percentiles: ['p50', 'p99'] },
    ],
  },
  {
    row: 'remediate',
    widgets: [
      { title: 'Remediation actions, by playbook and outcome (blocked by which limit)', metrics: ['remediationActions'], stat: 'Sum' },
      { title: 'Remediation kill switch engaged (1 = engaged)', metrics: ['killSwitchEngaged'], stat: 'Maximum' },
    ],
  },
  { row: 'scale', widgets: [{ title: 'Scaling decisions, by direction and bound', metrics: ['scalingDecisions'], stat: 'Sum' }] },
  {
    row: 'ship',
    widgets: [
      { title: 'Shipper records: in, dropped, shipped (by destination)', metrics: ['shipperRecordsIn', 'shipperRecordsDropped', 'shipperRecordsShipped'], stat: 'Sum' },
      { title: 'Shipper bytes shipped, by destination', metrics: ['shipperBytesShipped'], stat: 'Sum' },
      { title: 'Shipper redactions, failures (by destination) and S3 backups', metrics: ['shipperRedactions', 'shipperFailures', 'shipperBackups'], stat: 'Sum' },
      { title: 'Log groups subscribed by ship.autoSubscribe, by outcome (blocked: two filters already)', metrics: ['logGroupSubscriptions'], stat: 'Sum' },
    ],
  },
];

const PERIOD = 300;

/**
 * The remediate function's kill switch tick: once per alarm period, so that while remediation is on
 * every period of the kill-switch-engaged alarm has a datapoint, and "engaged for N minutes" is
 * N / 5 periods running at 1. About 8,700 short invocations a month.
 */
const KILL_SWITCH_SCHEDULE = `rate(${PERIOD / 60} minutes)`;

function catalogue() {
  const { METRIC, METRICS_NAMESPACE } = loadTs('../shared/lambda/metrics.ts');
  return { METRIC, namespace: METRICS_NAMESPACE };
}

/** Every dimension combination of one metric of this stage, one line each (a dashboard metrics entry: an array holding the expression). */
function search(namespace, metricName, stage, stat, id) {
  return [{ expression: `SEARCH('Namespace="${namespace}" MetricName="${metricName}" stage="${stage}"', '${stat}', ${PERIOD})`, id, period: PERIOD }];
}

function metricWidget(title, metrics, x, y, extra = {}) {
  return { type: 'metric', x, y, width: 8, height: 6, properties: { title, region: '${AWS::Region}', view: 'timeSeries', stacked: false, period: PERIOD, metrics, ...extra } };
}

/** The dashboard body: a JSON string with ${AWS::Region} and the functions' ${LogicalId} for Fn::Sub. */
function dashboardBody(stage) {
  const { METRIC, namespace } = catalogue();
  const widgets = [];
  let y = 0;
  for (const { row, widgets: specs } of ROWS) {
    widgets.push({ type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: `### ${row}` } });
    y += 1;
    specs.forEach((spec, index) => {
      let metrics;
      if (spec.percentiles) {
        // A percentile needs the metric itself (SEARCH returns one line per dimension set); the delay has only the function and stage.
        metrics = spec.percentiles.map((p) => [namespace, METRIC[spec.metrics[0]], 'service', 'ecs-autopilot-notify', 'stage', stage, { stat: p, label: p }]);
      } else {
        metrics = spec.metrics.map((key, i) => search(namespace, METRIC[key], stage, spec.stat, `m${index}_${i}`));
      }
      widgets.push(metricWidget(spec.title, metrics, (index % 3) * 8, y + Math.floor(index / 3) * 6));
    });
    y += Math.ceil(specs.length / 3) * 6;
  }
  widgets.push({ type: 'text', x: 0, y, width: 24, height: 1, properties: { markdown: '### ecs-autopilot itself' } });
  y += 1;
  const functions = stackFunctions();
  const lambda = (metric, stat) => functions.map((f) => ['AWS/Lambda', metric, 'FunctionName', `\${${f.logicalId}}`, { stat, label: `${f.name} ${metric}` }]);
  widgets.push(metricWidget('Handler errors and throttles, per function', [...lambda('Errors', 'Sum'), ...lambda('Throttles', 'Sum')], 0, y));
  widgets.push(metricWidget('Handler duration p99, per function (ms)', lambda('Duration', 'p99'), 8, y));
  widgets.push(metricWidget('Dead-letter queue: messages waiting', [['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', '${DeadLetterQueue.QueueName}', { stat: 'Maximum' }]], 16, y));
  y += 6;
  widgets.push({
    type: 'alarm',
    x: 0,
    y,
    width: 24,
    height: 3,
    properties: { title: 'Alarms on ecs-autopilot', alarms: ALARMS.map((a) => `\${${a}.Arn}`) },
  });
  return { 'Fn::Sub': JSON.stringify({ widgets }) };
}

/** The alarms serverless.yml declares on ecs-autopilot itself (logical ids), shown on the dashboard. */
const ALARMS = ['DeadLetterQueueNotEmptyAlarm', 'HandlerErrorsAlarm', 'NotificationsFailingAlarm', 'ShipperFailuresAlarm', 'KillSwitchEngagedAlarm'];

/** Metric math over every function's AWS/Lambda Errors: one alarm that fires when any handler fails. */
function handlerErrorMetrics() {
  const functions = stackFunctions();
  return [
    ...functions.map((f, i) => ({
      Id: `errors${i}`,
      Label: `${f.name} errors`,
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: { Ref: f.logicalId } }] }, Period: PERIOD, Stat: 'Sum' },
    })),
    { Id: 'errors', Label: 'handler errors, all functions', Expression: `SUM([${functions.map((_, i) => `errors${i}`).join(', ')}])`, ReturnData: true },
  ];
}

/** A Metrics Insights query over one catalogue metric of this stage, whatever its other dimensions. */
function insightsQuery(metricKey, stat, stage, where = '') {
  const { METRIC, namespace } = catalogue();
  return [{ Id: 'q', Expression: `SELECT ${stat}(${METRIC[metricKey]}) FROM "${namespace}" WHERE stage = '${stage}'${where}`, Period: PERIOD, ReturnData: true }];
}

module.exports = { dashboardBody, handlerErrorMetrics, insightsQuery, stackFunctions, ROWS, ALARMS, PERIOD, KILL_SWITCH_SCHEDULE };
