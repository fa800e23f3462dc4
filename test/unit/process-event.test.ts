import { describe, expect, it, vi } from 'vitest';
import { validateConfig } from '../../shared/config/validate.js';
import type { NotifyAction } from '../../shared/decide/plan.js';
import { EventInProgressError, type PipelineDependencies, processEvent } from '../../shared/execute/process-event.js';
import { IntakeError } from '../../shared/intake/index.js';
import { MemoryStateStore } from '../../shared/state/memory-store.js';
import { loadFixture } from '../support/fixtures.js';

function pipeline(overrides: Partial<PipelineDependencies> = {}) {
  const sent: NotifyAction[] = [];
  const deps: PipelineDependencies = {
    config: validateConfig({}, 'test'),
    store: new MemoryStateStore(),
    adapters: { notifier: { notify: async (action) => (sent.push(action), { messageId: `m-${sent.length}` }) } },
    dryRun: false,
    now: () => new Date('2026-11-20T10:05:00Z'),
    ...overrides,
  };
  return { deps, sent };
}

describe('processEvent', () => {
  it('acts once per event id, however often EventBridge delivers it', async () => {
    const { deps, sent } = pipeline();
    const event = loadFixture('events/task-stopped-oom.json');
    const first = await processEvent(event, deps);
    expect(first).toMatchObject({ id: event.id, outcome: 'acted', actions: [{ type: 'notify', cause: 'oom', status: 'sent', messageId: 'm-1' }] });
    const again = await processEvent(structuredClone(event), deps);
    expect(again.outcome).toBe('ignored');
    expect(again.notes).toContain(`duplicate: event ${event.id} was already handled`);
    expect(sent).toHaveLength(1);
  });

  it('releases the claim when sending fails, so the retry can act', async () => {
    let fail = true;
    const sent: string[] = [];
    const { deps } = pipeline({
      adapters: {
        notifier: {
          notify: async (action) => {
            if (fail) throw new Error('ThrottlingException');
            sent.push(action.cause);
            return {};
          },
        },
      },
    });
    const event = loadFixture('events/task-stopped-oom.json');
    await expect(processEvent(event, deps)).rejects.toThrow('ThrottlingException');
    fail = false;
    expect((await processEvent(event, deps)).outcome).toBe('acted');
    expect(sent).toEqual(['oom']);
  });

  it('fails a concurrent duplicate, so Lambda retries it after the first finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { deps } = pipeline({ adapters: { notifier: { notify: async () => (await gate, {}) } } });
    const event = loadFixture('events/task-stopped-oom.json');
    const first = processEvent(event, deps);
    await expect(processEvent(event, deps)).rejects.toBeInstanceOf(EventInProgressError);
    release();
    expect((await first).outcome).toBe('acted');
  });

  it('plans without sending in dry-run', async () => {
    const notify = vi.fn();
    const { deps } = pipeline({ dryRun: true, adapters: { notifier: { notify } } });
    const outcome = await processEvent(loadFixture('events/task-stopped-image-pull.json'), deps);
    expect(outcome.actions).toEqual([expect.objectContaining({ type: 'notify', cause: 'image-pull', status: 'planned' })]);
    expect(notify).not.toHaveBeenCalled();
  });

  it('does not touch the state table for events it ignores', async () => {
    const store = new MemoryStateStore();
    const claim = vi.spyOn(store, 'claimEvent');
    const { deps } = pipeline({ store });
    expect((await processEvent(loadFixture('events/task-running.json'), deps)).outcome).toBe('ignored');
    expect((await processEvent(loadFixture('events/task-stopped-deployment.json'), deps)).outcome).toBe('ignored');
    expect(claim).not.toHaveBeenCalled();
  });

  it('reads no service tags for an event that plans nothing without them', async () => {
    const tagsOf = vi.fn(async () => ({ tags: {} }));
    const { deps } = pipeline({ serviceTags: { tagsOf } });
    expect((await processEvent(loadFixture('events/task-stopped-user.json'), deps)).outcome).toBe('ignored');
    expect(tagsOf).not.toHaveBeenCalled();
  });

  it('reads service tags once per service through the reader, and goes on without them when they fail', async () => {
    const tagsOf = vi.fn(async () => ({ tags: {}, error: 'could not read the tags (AccessDeniedException)' }));
    const { deps, sent } = pipeline({ serviceTags: { tagsOf } });
    const outcome = await processEvent(loadFixture('events/task-stopped-oom.json'), deps);
    expect(outcome.outcome).toBe('acted');
    expect(tagsOf).toHaveBeenCalledWith('arn:aws:ecs:us-east-1:123456789012:service/prod/web', expect.any(Date));
    expect(sent[0]!.message.warnings).toEqual(['could not read the tags (AccessDeniedException)']);
  });

  it('throws IntakeError naming the field for a malformed event, and ignores unknown kinds', async () => {
    const { deps } = pipeline();
    await expect(processEvent(loadFixture('malformed/task-missing-cluster-arn.json'), deps)).rejects.toThrow(IntakeError);
    const unknown = await processEvent(loadFixture('events/unknown-detail-type.json'), deps);
    expect(unknown.outcome).toBe('ignored');
    expect(unknown.notes[0]).toMatch(/no parser for source/);
  });
});
