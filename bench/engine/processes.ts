/**
 * The BPMN the bench runs. The service-task process uses the one binding that
 * bare bpmn-engine runs natively (`${environment.services.NAME}`), so the very
 * same XML runs in the baseline and in Stagegate (where NAME is the topic of
 * an in-process handler).
 */

export const SERVICE_TOPIC = 'bench-noop';

function definitions(id: string, body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="defs_${id}" targetNamespace="http://stagegate.dev/bench">
  <bpmn:process id="${id}" isExecutable="true">
${body}
  </bpmn:process>
</bpmn:definitions>
`;
}

/** start → service task (no-op handler) → end */
export const SERVICE_PROCESS_KEY = 'bench_service';
export const SERVICE_PROCESS_XML = definitions(
  SERVICE_PROCESS_KEY,
  `    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:serviceTask id="work" name="Work" implementation="\${environment.services.${SERVICE_TOPIC}}" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
    <bpmn:endEvent id="end" />`,
);

/** start → user task → end: instances wait durably until the task is completed. */
export const USER_TASK_PROCESS_KEY = 'bench_approval';
export const USER_TASK_PROCESS_XML = definitions(
  USER_TASK_PROCESS_KEY,
  `    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="reviewers" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />`,
);

/**
 * The same user task with an interrupting boundary timer due at `${dueAt}` (an
 * ISO date set per instance): instances wait on the task like the others, and
 * the timer comes due while the server is down, so a restart resumes them.
 */
export const TIMEOUT_PROCESS_KEY = 'bench_approval_timeout';
export const TIMEOUT_PROCESS_XML = definitions(
  TIMEOUT_PROCESS_KEY,
  `    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="reviewers" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />
    <bpmn:boundaryEvent id="deadline" attachedToRef="review">
      <bpmn:timerEventDefinition><bpmn:timeDate>\${dueAt}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="deadline" targetRef="timedOut" />
    <bpmn:endEvent id="timedOut" />`,
);
