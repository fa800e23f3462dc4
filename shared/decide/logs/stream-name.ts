// The awslogs driver names streams PREFIX/CONTAINER/TASK-ID (awslogs-stream-prefix), so a stream
// tells which container of which task wrote a line without any AWS call.
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html

export interface AwslogsStream {
  prefix: string;
  container: string;
  taskId: string;
}

// New-style ids are 32 hex digits; tasks launched before 2019 kept UUID ids.
const TASK_ID = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export function parseAwslogsStream(stream: string): AwslogsStream | undefined {
  const last = stream.lastIndexOf('/');
  const middle = last <= 0 ? -1 : stream.lastIndexOf('/', last - 1);
  if (middle <= 0) return undefined;
  const taskId = stream.slice(last + 1);
  const container = stream.slice(middle + 1, last);
  if (!TASK_ID.test(taskId) || container === '') return undefined;
  return { prefix: stream.slice(0, middle), container, taskId };
}
