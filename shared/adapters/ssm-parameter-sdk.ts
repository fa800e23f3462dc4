// What the kill switch sends to SSM, as a module of its own: imported on the switch's first read,
// it becomes a small chunk of a bundle. A dynamic import of '@aws-sdk/client-ssm' itself would
// bundle every SSM command (about 150 KB), since esbuild cannot tree-shake a dynamic import.
export { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
