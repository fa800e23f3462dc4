// Deep links into the AWS console, so a notification saves the engineer the clicks.
const base = (region: string) => `https://${region}.console.aws.amazon.com`;
// encodeURIComponent throws on a lone surrogate; event fields are untrusted, so make them well formed first.
const enc = (text: string) => encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

export function taskConsoleUrl(region: string, cluster: string, taskId: string): string {
  return `${base(region)}/ecs/v2/clusters/${enc(cluster)}/tasks/${enc(taskId)}/configuration?region=${region}`;
}

export function serviceConsoleUrl(region: string, cluster: string, service: string): string {
  return `${base(region)}/ecs/v2/clusters/${enc(cluster)}/services/${enc(service)}/health?region=${region}`;
}
