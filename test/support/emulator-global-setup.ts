import 'vitest';
import type { TestProject } from 'vitest/node';
import { type Emulator, startEmulator } from '../../scripts/lib/emulator.js';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEndpoint: string;
  }
}

let emulator: Emulator | undefined;

export async function setup(project: TestProject): Promise<void> {
  // An emulator already running (AWS_ENDPOINT_URL set by the caller) is used as is.
  const given = process.env.AWS_ENDPOINT_URL;
  if (!given) emulator = await startEmulator();
  project.provide('awsEndpoint', given ?? emulator!.url);
}

export async function teardown(): Promise<void> {
  await emulator?.stop();
}
