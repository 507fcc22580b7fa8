/**
 * The BPMN diagram in bpmn-js's NavigatedViewer (drag to pan, ctrl+wheel to
 * zoom), with markers on the current (sg-current) and completed
 * (sg-completed) elements. A definition without diagram interchange has
 * nothing to draw; the activity list next to it still tells the state.
 */
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useEffect, useRef, useState } from 'preact/hooks';

interface Canvas {
  addMarker(id: string, marker: string): void;
  removeMarker(id: string, marker: string): void;
  zoom(level: string): void;
}
interface ElementRegistry {
  get(id: string): unknown;
}

export function BpmnDiagram({ xml, current, completed, label }: { xml: string; current: string[]; completed: string[]; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [imported, setImported] = useState(0);

  useEffect(() => {
    const instance = new NavigatedViewer({ container: container.current! });
    viewer.current = instance;
    instance.importXML(xml).then(
      () => {
        const canvas = instance.get<Canvas>('canvas');
        if (!instance.get<{ getAll(): unknown[] }>('elementRegistry').getAll().length) setProblem('This process has no diagram layout (no BPMN diagram interchange in its XML).');
        canvas.zoom('fit-viewport');
        setImported((n) => n + 1);
      },
      (err: Error) => setProblem(`The diagram could not be drawn: ${err.message}`),
    );
    return () => instance.destroy();
  }, [xml]);

  useEffect(() => {
    if (!imported || !viewer.current) return;
    const canvas = viewer.current.get<Canvas>('canvas');
    const registry = viewer.current.get<ElementRegistry>('elementRegistry');
    const marked: [string, string][] = [
      ...completed.map((id): [string, string] => [id, 'sg-completed']),
      ...current.map((id): [string, string] => [id, 'sg-current']),
    ].filter(([id]) => registry.get(id));
    for (const [id, marker] of marked) canvas.addMarker(id, marker);
    return () => {
      for (const [id, marker] of marked) canvas.removeMarker(id, marker);
    };
  }, [imported, current.join(), completed.join()]);

  return (
    <figure class="diagram-figure">
      <div ref={container} class="diagram" data-testid="diagram" />
      <figcaption class="legend">
        <span class="visually-hidden">{label}. </span>
        <span class="key key-current" aria-hidden="true" /> current
        <span class="key key-completed" aria-hidden="true" /> completed
      </figcaption>
      {problem && <p class="muted">{problem}</p>}
    </figure>
  );
}
