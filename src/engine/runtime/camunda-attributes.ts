/**
 * Reads the Camunda extension attributes that bpmn-moddle (with the camunda
 * moddle) flattens onto an activity's `behaviour`: topics, input/output
 * parameters and the user-task attributes of SPEC §3.
 */
import { getDate, parseDuration } from '@0dep/piso';
import type { Variables, WaitingUserTask } from './types';

/* bpmn-elements objects are untyped at this boundary. */
/* eslint-disable @typescript-eslint/no-explicit-any */
type Behaviour = Record<string, any>;

/** Minimal view of a bpmn-elements environment used to resolve `${...}` values. */
export interface ExpressionEnvironment {
  resolveExpression(text: string, message?: unknown): unknown;
  variables: Variables;
}

const servicesExpression = /^\$\{\s*environment\.services\.([\w.-]+)\s*\}$/;

/** The topic a service task is bound to, or null when it names none. */
export function serviceTopic(behaviour: Behaviour): string | null {
  if (typeof behaviour.topic === 'string' && behaviour.topic.trim()) return behaviour.topic.trim();
  for (const attribute of [behaviour.implementation, behaviour.expression]) {
    const match = typeof attribute === 'string' ? servicesExpression.exec(attribute.trim()) : null;
    if (match) return match[1];
  }
  return null;
}

function inputOutput(behaviour: Behaviour): { inputParameters?: any[]; outputParameters?: any[] } | undefined {
  const values: any[] = behaviour.extensionElements?.values ?? [];
  return values.find((value) => value.$type === 'camunda:InputOutput');
}

function resolveValue(parameter: any, environment: ExpressionEnvironment, message: unknown): unknown {
  const definition = parameter.definition;
  if (definition?.$type === 'camunda:List') {
    return (definition.items ?? []).map((item: any) => resolveText(item.value, environment, message));
  }
  if (definition?.$type === 'camunda:Map') {
    return Object.fromEntries(
      (definition.entries ?? []).map((entry: any) => [entry.key, resolveText(entry.value, environment, message)]),
    );
  }
  return resolveText(parameter.value, environment, message);
}

function resolveText(text: unknown, environment: ExpressionEnvironment, message: unknown): unknown {
  if (typeof text !== 'string') return text ?? null;
  return text.includes('${') || text.includes('#{') || text.startsWith('=')
    ? environment.resolveExpression(text, message)
    : text;
}

/** camunda:inputParameter values, resolved against the process variables. */
export function resolveInputs(behaviour: Behaviour, environment: ExpressionEnvironment, message: unknown): Variables {
  const params = inputOutput(behaviour)?.inputParameters ?? [];
  return Object.fromEntries(params.map((p: any) => [p.name, resolveValue(p, environment, message)]));
}

/**
 * The process variables a service result produces: the camunda:outputParameter
 * mapping when the task has one (evaluated with the result's fields in scope),
 * else the result object itself.
 */
export function mapOutputs(behaviour: Behaviour, environment: ExpressionEnvironment, result: Variables): Variables {
  const params = inputOutput(behaviour)?.outputParameters;
  if (!params?.length) return result;
  // The message's `environment` overrides the real one in bpmn-elements' resolveExpression,
  // so the result's fields are in scope next to the process variables.
  const scope = { environment: { variables: { ...environment.variables, ...result } }, content: { output: result } };
  return Object.fromEntries(params.map((p: any) => [p.name, resolveValue(p, environment, scope)]));
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

/** A due date given as an ISO date or an ISO duration from now (Camunda accepts both). */
export function parseDueDate(value: unknown, now = new Date()): Date | null {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || !value.trim()) return null;
  const text = value.trim();
  try {
    if (text.startsWith('P')) return parseDuration(text).getExpireAt(now);
    return getDate(text);
  } catch {
    return null;
  }
}

function formFields(behaviour: Behaviour): unknown[] {
  const values: any[] = behaviour.extensionElements?.values ?? [];
  const formData = values.find((value) => value.$type === 'camunda:FormData');
  return (formData?.fields ?? []).map((field: any) => ({
    id: field.id,
    label: field.label ?? null,
    type: field.type ?? 'string',
    defaultValue: field.defaultValue ?? null,
    required: (field.validation?.constraints ?? []).some((c: any) => c.name === 'required'),
    values: (field.values ?? []).map((v: any) => ({ id: v.id, name: v.name })),
  }));
}

/** The work-item fields of a user task that just started waiting. */
export function readUserTask(activity: any, message: any, executionId: string): WaitingUserTask {
  const behaviour: Behaviour = activity.behaviour ?? {};
  const environment: ExpressionEnvironment = activity.environment;
  const resolve = (value: unknown) => resolveText(value, environment, message);
  const priority = Number(resolve(behaviour.priority));
  return {
    elementId: activity.id,
    executionId,
    name: activity.name ?? null,
    documentation: behaviour.documentation?.[0]?.text ?? null,
    candidateGroups: list(resolve(behaviour.candidateGroups)),
    candidateUsers: list(resolve(behaviour.candidateUsers)),
    assignee: (resolve(behaviour.assignee) as string | null) || null,
    dueDate: parseDueDate(resolve(behaviour.dueDate)),
    priority: Number.isFinite(priority) && behaviour.priority !== undefined ? priority : 50,
    formKey: behaviour.formKey ?? null,
    formFields: formFields(behaviour),
  };
}
