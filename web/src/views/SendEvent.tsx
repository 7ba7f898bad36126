import { type FormEvent, useMemo, useState } from 'react';
import { ApiError, newIdempotencyKey, sendEvent } from '../api';
import { acceptedEvents, type ChartIndex, valueLabel } from '../chart/model';
import { ProblemNote } from '../components/ProblemNote';
import { SchemaFields } from '../components/SchemaForm';
import { fieldsOf, type RawValues, toPayload } from '../components/schema-form';
import type { CommandResult, InstanceState, MachineDetail } from '../types';

/**
 * Sends one event to an instance, from a form generated from the event's
 * JSON Schema. The event types the current state handles come first; the
 * rest are listed disabled with the reason, as are types the server refused
 * for this caller (403) and everything once the instance is no longer active.
 */
export function SendEvent(props: {
  detail: MachineDetail;
  index: ChartIndex;
  active: ReadonlySet<string>;
  instance: InstanceState;
  /** The server's decisions for this caller by event type (roles and guards); `true` = allowed. */
  permissions?: Readonly<Record<string, true | string>>;
  /** Why sending is paused (viewing the past), when it is. */
  paused?: string;
  onSent(result: CommandResult): void;
}) {
  const { detail, instance } = props;
  const { accepted, rejected } = useMemo(
    () => acceptedEvents(props.index, props.active, detail.events),
    [props.index, props.active, detail.events],
  );
  const [refused, setRefused] = useState<Record<string, string>>({});
  const denied = useMemo(() => {
    const out: Record<string, string> = {};
    for (const [t, d] of Object.entries(props.permissions ?? {})) if (d !== true) out[t] = d;
    return { ...out, ...refused };
  }, [props.permissions, refused]);
  const firstAllowed = accepted.find((a) => !denied[a.type])?.type ?? '';
  const [chosen, setChosen] = useState<string>('');
  const type = chosen && accepted.some((a) => a.type === chosen) ? chosen : firstAllowed;
  const [values, setValues] = useState<Record<string, RawValues>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<
    { ok: CommandResult; type: string } | { error: ApiError } | undefined
  >();
  const [key, setKey] = useState(() => newIdempotencyKey('inspector'));

  const schema = type ? detail.schemas.events[type] : undefined;
  const fields = fieldsOf(schema);
  const raw = values[type] ?? {};
  const state = valueLabel(instance.value);
  const closed =
    instance.status !== 'active'
      ? `The instance is ${instance.status}: it accepts no more events.`
      : props.paused;
  const deniedReason = type ? denied[type] : undefined;
  const disabledReason =
    closed ?? deniedReason ?? (type ? undefined : `No event is accepted in ${state}.`);

  const change = (name: string, value: string | boolean) => {
    setValues((v) => ({ ...v, [type]: { ...(v[type] ?? {}), [name]: value } }));
    setKey(newIdempotencyKey('inspector'));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!type || disabledReason) return;
    let payload: Record<string, unknown> = {};
    if (fields) {
      const result = toPayload(fields, raw);
      if (!result.ok) {
        setErrors(result.errors);
        return;
      }
      payload = result.value;
    } else {
      const text = typeof raw.__json === 'string' ? raw.__json.trim() : '';
      try {
        payload = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        setErrors({ __json: 'not valid JSON' });
        return;
      }
    }
    setErrors({});
    setBusy(true);
    try {
      const result = await sendEvent(detail.name, instance.id, { ...payload, type }, key);
      setOutcome({ ok: result, type });
      setKey(newIdempotencyKey('inspector'));
      props.onSent(result);
    } catch (error) {
      const apiError =
        error instanceof ApiError
          ? error
          : new ApiError({
              type: 'about:blank',
              title: 'Error',
              status: 0,
              code: 'CLIENT_ERROR',
              detail: String(error),
            });
      setOutcome({ error: apiError });
      if (apiError.status === 403) setRefused((d) => ({ ...d, [type]: apiError.problem.detail }));
      if (apiError.status !== 0 && apiError.status < 500) setKey(newIdempotencyKey('inspector'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="send-event" onSubmit={submit} aria-labelledby="send-title">
      <h2 id="send-title">Send an event</h2>
      <div className="field">
        <label htmlFor="event-type">Event type</label>
        <select
          id="event-type"
          value={type}
          disabled={closed !== undefined}
          onChange={(e) => {
            setChosen(e.target.value);
            setErrors({});
            setOutcome(undefined);
          }}
        >
          {accepted.length === 0 && <option value="">(none accepted in {state})</option>}
          <optgroup label={`Accepted in ${state}`}>
            {accepted.map((a) => (
              <option
                key={a.type}
                value={a.type}
                disabled={denied[a.type] !== undefined}
                title={denied[a.type]}
              >
                {a.type}
                {a.guarded ? ' (guarded)' : ''}
                {denied[a.type] ? ' (not allowed for you)' : ''}
              </option>
            ))}
          </optgroup>
          {rejected.length > 0 && (
            <optgroup label={`Not accepted in ${state}`}>
              {rejected.map((t) => (
                <option key={t} value={t} disabled>
                  {t}
                </option>
              ))}
            </optgroup>
          )}
        </select>
        {accepted.some((a) => denied[a.type]) && (
          <ul className="denied-list" aria-label="Events you may not send">
            {accepted
              .filter((a) => denied[a.type])
              .map((a) => (
                <li key={a.type}>
                  <code>{a.type}</code>: {denied[a.type]}
                </li>
              ))}
          </ul>
        )}
        {type && accepted.find((a) => a.type === type)?.guarded && (
          <span className="hint">
            A guard decides: the server may still refuse it with EVENT_NOT_ACCEPTED.
          </span>
        )}
      </div>
      {type &&
        (fields ? (
          <SchemaFields
            fields={fields}
            values={raw}
            errors={errors}
            disabled={disabledReason !== undefined}
            onChange={change}
          />
        ) : (
          <div className="field">
            <label htmlFor="event-json">Payload (JSON, no schema declared)</label>
            <textarea
              id="event-json"
              rows={3}
              spellCheck={false}
              placeholder="{}"
              value={typeof raw.__json === 'string' ? raw.__json : ''}
              disabled={disabledReason !== undefined}
              aria-invalid={errors.__json ? true : undefined}
              onChange={(e) => change('__json', e.target.value)}
            />
            {errors.__json && <span className="field-error">{errors.__json}</span>}
          </div>
        ))}
      <div className="actions">
        <button
          type="submit"
          className="primary"
          disabled={busy || disabledReason !== undefined}
          aria-describedby={disabledReason ? 'send-disabled' : undefined}
        >
          {busy ? 'Sending…' : type ? `Send ${type}` : 'Send'}
        </button>
        {disabledReason && (
          <span className="disabled-reason" id="send-disabled">
            {disabledReason}
          </span>
        )}
      </div>
      <output aria-live="polite">
        {outcome && 'ok' in outcome && outcome.ok.seq >= instance.seq && (
          <p className="success">
            {outcome.ok.duplicate ? `${outcome.type} was already sent: ` : `Sent ${outcome.type}: `}
            now in <strong>{valueLabel(outcome.ok.value)}</strong> (seq {outcome.ok.seq})
          </p>
        )}
        {outcome && 'error' in outcome && (
          <ProblemNote error={outcome.error} action="Sending the event" />
        )}
      </output>
    </form>
  );
}
