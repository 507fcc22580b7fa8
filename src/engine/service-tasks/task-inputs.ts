/** Reading a service task's inputs: input parameters over process variables of the same name. */
import { z } from 'zod';
import { ValidationError } from '../../errors';
import type { ServiceTaskContext } from './handler-registry';

/** JSON given as text (an input parameter is a string unless it is an expression). */
export const jsonText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }, schema);

export const Text = z.string().trim().min(1).max(200);
export const TimePoint = z.union([z.string().max(64), z.date().transform((d) => d.toISOString())]).optional();
export const Integer = z.coerce.number().int();

/** The task's inputs: input parameters over process variables; empty values count as absent. */
export function taskInputs<T>(schema: z.ZodType<T>, task: ServiceTaskContext): T {
  const merged: Record<string, unknown> = {};
  for (const source of [task.variables, task.input]) {
    for (const [key, value] of Object.entries(source)) if (value !== null && value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = schema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
  throw new ValidationError(`${task.topic} task ${task.elementId} has bad inputs: ${problems}`, { issues: parsed.error.issues });
}
