// Deep links into the AWS console, so a notification saves the engineer the clicks.
// Event fields are untrusted. The region becomes part of the host name, so only a region's name may
// go there ("evil.example/" would point the link elsewhere); anything else gets the global console.
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const consoleBase = (region: string) => (REGION.test(region) ? `https://${region}.console.aws.amazon.com` : 'https://console.aws.amazon.com');
// encodeURIComponent throws on a lone surrogate, so make the text well formed first.
export const enc = (text: string) => encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

export function taskConsoleUrl(region: string, cluster: string, taskId: string): string {
  return `${consoleBase(region)}/ecs/v2/clusters/${enc(cluster)}/tasks/${enc(taskId)}/configuration?region=${enc(region)}`;
}

export function serviceConsoleUrl(region: string, cluster: string, service: string): string {
  return `${consoleBase(region)}/ecs/v2/clusters/${enc(cluster)}/services/${enc(service)}/health?region=${enc(region)}`;
}
