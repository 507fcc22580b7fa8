/**
 * Administrator settings (SPEC §9: approval notice, limits): one row per key in
 * `settings`, validated as a whole by the schema below.
 */
import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router } from 'express';
import { z } from 'zod';
import { recordAudit } from '../audit/audit-store';
import type { Database } from '../db/connect';
import { defineRoute } from '../http/route';
import type { ActionContext } from '../identity/actor';

export const Settings = z
  .object({
    /** Shown in the context of every approval work item. */
    approvalNotice: z.string().max(4000).default(''),
  })
  .strict()
  .openapi('Settings');

export type SettingsValues = z.infer<typeof Settings>;

export async function readSettings(db: Database): Promise<SettingsValues> {
  const rows = await db('settings').select('key', 'value');
  return Settings.parse(Object.fromEntries(rows.map((row) => [row.key, row.value])));
}

export async function writeSettings(db: Database, context: ActionContext, changes: Partial<SettingsValues>): Promise<SettingsValues> {
  return db.transaction(async (trx) => {
    const before = Settings.parse(Object.fromEntries((await trx('settings').select('key', 'value')).map((row) => [row.key, row.value])));
    for (const [key, value] of Object.entries(changes)) {
      await trx('settings')
        .insert({ key, value: JSON.stringify(value), updated_by: context.actor?.id ?? null, updated_at: trx.fn.now() })
        .onConflict('key')
        .merge();
    }
    const after = { ...before, ...changes };
    await recordAudit(trx, context, { action: 'settings.update', entityType: 'settings', entityId: 'global', before, after });
    return after;
  });
}

export function settingsRoutes(registry: OpenAPIRegistry, db: Database): Router {
  const router = Router();
  defineRoute(router, registry, { method: 'get', path: '/api/settings', summary: 'Administrator settings (the approval notice, ...)', tag: 'Settings', permission: 'authenticated', response: Settings }, () =>
    readSettings(db),
  );
  defineRoute(
    router,
    registry,
    { method: 'put', path: '/api/settings', summary: 'Change settings (any subset)', tag: 'Settings', permission: 'settings:edit', body: Settings.partial().strict(), response: Settings },
    async ({ body, context }) => writeSettings(db, context, body),
  );
  return router;
}
