// Job documents in the Cosmos `jobs` container. Every state change after creation is a replace
// guarded by the ETag the writer last saw, so two workers can never both move a job forward:
// the loser gets 412 and walks away. That, not the queue, is what makes "never run twice to
// completion" hold (queue messages can be delivered twice; see docs/gateway.md).
import type { Container } from '@azure/cosmos';
import type { JobDoc } from '../contracts/documents.js';
import { required } from '../lib/required.js';

export class StaleJobError extends Error {
  constructor(id: string) {
    super(`job ${id} changed under us`);
  }
}

export class JobsStore {
  constructor(private readonly container: Container) {}

  async create(doc: JobDoc): Promise<void> {
    await this.container.items.create(doc);
  }

  async get(id: string): Promise<JobDoc | undefined> {
    const { resource } = await this.container.item(id, id).read<JobDoc>();
    return resource ?? undefined;
  }

  /** Replaces `doc` only if it is unchanged since read; returns the stored version (new ETag). */
  async replaceIfUnchanged(doc: JobDoc, changes: Partial<JobDoc>): Promise<JobDoc> {
    const next: JobDoc = { ...doc, ...changes, updatedAt: Date.now() };
    delete next._etag;
    // Cosmos sets the ETag on every document it returns, and only returned documents come here.
    const etag = required(doc._etag, `the ETag of job ${doc.id}`);
    try {
      const { resource } = await this.container
        .item(doc.id, doc.id)
        .replace<JobDoc>(next, { accessCondition: { type: 'IfMatch', condition: etag } });
      return required(resource, `the replaced job ${doc.id}`);
    } catch (err) {
      if ((err as { code?: number }).code === 412) throw new StaleJobError(doc.id);
      throw err;
    }
  }

  async delete(id: string): Promise<void> {
    await this.container
      .item(id, id)
      .delete()
      .catch(() => {});
  }
}
