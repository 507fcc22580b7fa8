/** Inputs for a work item's form fields (camunda:formData): string, long, boolean, enum, date. */
import type { FormField } from '../work-item';

export type FormValues = Record<string, unknown>;

export function initialValues(fields: FormField[]): FormValues {
  return Object.fromEntries(fields.filter((f) => f.id !== 'decision' && f.defaultValue !== undefined && f.defaultValue !== null).map((f) => [f.id, f.defaultValue]));
}

function FieldInput({ field, value, onChange }: { field: FormField; value: unknown; onChange: (value: unknown) => void }) {
  const id = `field-${field.id}`;
  const label = field.label ?? field.id;
  if (field.type === 'boolean') {
    return (
      <div class="field checkbox">
        <input id={id} type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} />
        <label for={id}>{label}</label>
      </div>
    );
  }
  if (field.type === 'enum') {
    return (
      <div class="field">
        <label for={id}>{label}</label>
        <select id={id} required={field.required} value={String(value ?? '')} onChange={(e) => onChange(e.currentTarget.value || undefined)}>
          <option value="">—</option>
          {field.values.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </div>
    );
  }
  const numeric = field.type === 'long';
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type={(numeric ? 'number' : field.type === 'date' ? 'date' : 'text') as 'text'}
        step={numeric ? 1 : undefined}
        required={field.required}
        value={value === undefined ? '' : String(value)}
        onInput={(e) => {
          const text = e.currentTarget.value;
          onChange(text === '' ? undefined : numeric ? Number(text) : text);
        }}
      />
    </div>
  );
}

export function FormFields({ fields, values, onChange }: { fields: FormField[]; values: FormValues; onChange: (values: FormValues) => void }) {
  const shown = fields.filter((f) => f.id !== 'decision');
  if (!shown.length) return null;
  return (
    <fieldset>
      <legend>Form</legend>
      {shown.map((field) => (
        <FieldInput key={field.id} field={field} value={values[field.id]} onChange={(value) => onChange({ ...values, [field.id]: value })} />
      ))}
    </fieldset>
  );
}
