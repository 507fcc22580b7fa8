/** A small approval process with diagram interchange, so the console's bpmn-js viewer has shapes to mark. */
export const REVIEW_PROCESS_KEY = 'console-review';

export const REVIEW_PROCESS = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="defs_console_review" targetNamespace="http://stagegate.dev/test">
  <bpmn:process id="${REVIEW_PROCESS_KEY}" name="Console review" isExecutable="true">
    <bpmn:startEvent id="start" name="Version submitted" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve model version" camunda:candidateGroups="model-approvers" camunda:dueDate="P2D" camunda:priority="70">
      <bpmn:documentation>Compare the test results with the thresholds.</bpmn:documentation>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" name="Approved?" default="f4" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="deployed"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">\${decision == 'approved'}</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f4" sourceRef="gw" targetRef="rejected" />
    <bpmn:endEvent id="deployed" name="Deployed" />
    <bpmn:endEvent id="rejected" name="Rejected" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram">
    <bpmndi:BPMNPlane id="plane" bpmnElement="${REVIEW_PROCESS_KEY}">
      <bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="120" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve"><dc:Bounds x="190" y="98" width="100" height="80" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="gw_di" bpmnElement="gw" isMarkerVisible="true"><dc:Bounds x="345" y="113" width="50" height="50" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="deployed_di" bpmnElement="deployed"><dc:Bounds x="450" y="60" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="rejected_di" bpmnElement="rejected"><dc:Bounds x="450" y="180" width="36" height="36" /></bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="138" /><di:waypoint x="190" y="138" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="290" y="138" /><di:waypoint x="345" y="138" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f3_di" bpmnElement="f3"><di:waypoint x="370" y="113" /><di:waypoint x="370" y="78" /><di:waypoint x="450" y="78" /></bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="f4_di" bpmnElement="f4"><di:waypoint x="370" y="163" /><di:waypoint x="370" y="198" /><di:waypoint x="450" y="198" /></bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>`;
