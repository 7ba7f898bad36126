import { type ReactNode, useId } from 'react';
import type { Field, RawValues } from './schema-form';

/** Inputs for the fields of an object schema; errors sit beside their field. */
export function SchemaFields(props: {
  fields: readonly Field[];
  values: RawValues;
  errors: Readonly<Record<string, string>>;
  disabled?: boolean;
  onChange(name: string, value: string | boolean): void;
}) {
  const base = useId();
  if (props.fields.length === 0) return <p className="muted">This event carries no payload.</p>;
  return (
    <>
      {props.fields.map((f) => {
        const id = `${base}-${f.name}`;
        const hintId = `${id}-hint`;
        const error = props.errors[f.name];
        const described = [f.hint || f.schema.description ? hintId : '', error ? `${id}-error` : '']
          .filter(Boolean)
          .join(' ');
        const common = {
          id,
          name: f.name,
          disabled: props.disabled,
          'aria-invalid': error ? true : undefined,
          'aria-describedby': described || undefined,
          required: f.required,
        };
        const raw = props.values[f.name];
        const text = typeof raw === 'string' ? raw : '';
        let input: ReactNode;
        if (f.kind === 'boolean') {
          input = (
            <input
              {...common}
              type="checkbox"
              checked={raw === true}
              onChange={(e) => props.onChange(f.name, e.target.checked)}
            />
          );
        } else if (f.kind === 'enum') {
          input = (
            <select
              {...common}
              value={text}
              onChange={(e) => props.onChange(f.name, e.target.value)}
            >
              <option value="">{f.required ? 'choose…' : '(none)'}</option>
              {f.options?.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          );
        } else if (f.kind === 'list' || f.kind === 'json') {
          input = (
            <textarea
              {...common}
              rows={3}
              value={text}
              spellCheck={false}
              placeholder={f.kind === 'json' ? 'JSON' : 'one item per line'}
              onChange={(e) => props.onChange(f.name, e.target.value)}
            />
          );
        } else {
          input = (
            <input
              {...common}
              type="text"
              inputMode={f.kind === 'string' ? undefined : 'decimal'}
              value={text}
              onChange={(e) => props.onChange(f.name, e.target.value)}
            />
          );
        }
        return (
          <div className={`field field-${f.kind}`} key={f.name}>
            <label htmlFor={id}>
              {f.name}
              {f.required ? (
                <span className="required" aria-hidden="true">
                  {' '}
                  *
                </span>
              ) : (
                <span className="muted"> (optional)</span>
              )}
              <span className="muted kind"> {f.kind === 'list' ? `${f.item} list` : f.kind}</span>
            </label>
            {input}
            {(f.hint || f.schema.description) && (
              <span className="hint" id={hintId}>
                {[f.schema.description, f.hint].filter(Boolean).join(' · ')}
              </span>
            )}
            {error && (
              <span className="field-error" id={`${id}-error`}>
                {error}
              </span>
            )}
          </div>
        );
      })}
    </>
  );
}
