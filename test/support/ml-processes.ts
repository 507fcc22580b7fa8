/** BPMN of the ML topics shared by tests: train → test → check-thresholds → gateway on ${passed}. */
import { bpmnProcess, flow } from './bpmn';

/**
 * Trains on rows before `cutoff`, tests on the rows from it, checks thresholds
 * and ends in `approved` or `rejected`; a failed or cancelled training job ends
 * in `failed` or `cancelled`, and so does a failed test job when `catchTestFailure`.
 */
export function trainTestGateProcess(key: string, cutoff: string, options: { catchTestFailure?: boolean } = {}): string {
  const testFailed = options.catchTestFailure
    ? `<bpmn:boundaryEvent id="testFailed" attachedToRef="test"><bpmn:errorEventDefinition errorRef="Err_Failed" /></bpmn:boundaryEvent>
       ${flow('f9', 'testFailed', 'failed')}`
    : '';
  return bpmnProcess(
    key,
    `<bpmn:startEvent id="start" />
     ${flow('f1', 'start', 'train')}
     <bpmn:serviceTask id="train" camunda:topic="train">
       <bpmn:extensionElements><camunda:inputOutput>
         <camunda:inputParameter name="to">${cutoff}</camunda:inputParameter>
       </camunda:inputOutput></bpmn:extensionElements>
     </bpmn:serviceTask>
     <bpmn:boundaryEvent id="trainFailed" attachedToRef="train"><bpmn:errorEventDefinition errorRef="Err_Failed" /></bpmn:boundaryEvent>
     <bpmn:boundaryEvent id="trainCancelled" attachedToRef="train"><bpmn:errorEventDefinition errorRef="Err_Cancelled" /></bpmn:boundaryEvent>
     ${flow('f2', 'train', 'test')}
     <bpmn:serviceTask id="test" camunda:topic="test">
       <bpmn:extensionElements><camunda:inputOutput>
         <camunda:inputParameter name="from">${cutoff}</camunda:inputParameter>
       </camunda:inputOutput></bpmn:extensionElements>
     </bpmn:serviceTask>
     ${testFailed}
     ${flow('f3', 'test', 'check')}
     <bpmn:serviceTask id="check" camunda:topic="check-thresholds" />
     ${flow('f4', 'check', 'gate')}
     <bpmn:exclusiveGateway id="gate" />
     ${flow('f5', 'gate', 'approved', '${passed}')}
     ${flow('f6', 'gate', 'rejected', '${!passed}')}
     <bpmn:endEvent id="approved" />
     <bpmn:endEvent id="rejected" />
     ${flow('f7', 'trainFailed', 'failed')}
     ${flow('f8', 'trainCancelled', 'cancelled')}
     <bpmn:endEvent id="failed" />
     <bpmn:endEvent id="cancelled" />`,
    '<bpmn:error id="Err_Failed" errorCode="JOB_FAILED" /><bpmn:error id="Err_Cancelled" errorCode="JOB_CANCELLED" />',
  );
}
