/**
 * The gauges that describe database state, read at scrape time so every
 * replica reports the same truth (not what it happened to see).
 */
import type { Database } from '../db/connect';

/** A work item without candidate groups is counted under this label. */
export const NO_GROUP = '(none)';

/** Open work items per candidate group; an item offered to two groups counts in both. */
export async function openWorkItemsByGroup(db: Database): Promise<Map<string, number>> {
  const result = await db.raw(
    `SELECT g.name AS group_name, count(*) AS open
       FROM user_tasks t CROSS JOIN LATERAL jsonb_array_elements_text(t.candidate_groups) AS g(name)
      WHERE t.status = 'open'
      GROUP BY g.name
     UNION ALL
     SELECT ? AS group_name, count(*) AS open
       FROM user_tasks
      WHERE status = 'open' AND jsonb_array_length(candidate_groups) = 0`,
    [NO_GROUP],
  );
  return new Map(result.rows.map((row: { group_name: string; open: string | number }) => [row.group_name, Number(row.open)]));
}

export async function openIncidents(db: Database): Promise<number> {
  const [{ count }] = await db('incidents').where({ status: 'open' }).count({ count: '*' });
  return Number(count);
}

/** Mail waiting to be sent (pending, including retries) and the age of the oldest, in seconds. */
export async function mailBacklog(db: Database): Promise<{ pending: number; oldestAgeSeconds: number }> {
  const result = await db.raw(
    `SELECT count(*) AS pending, COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) AS oldest
       FROM mail_outbox WHERE status = 'pending'`,
  );
  const row = result.rows[0];
  return { pending: Number(row.pending), oldestAgeSeconds: Math.max(0, Number(row.oldest)) };
}
