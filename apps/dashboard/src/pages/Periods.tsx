import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { GraphQLRequestError, gql } from '../api/client';
import { useQuery, useSession, useTimeTravel } from '../api/hooks';
import {
  AGENCIES,
  type AgencyPeriodRow,
  type Agencies,
  type PeriodReceipt,
  REPORTING_PERIODS,
  type ReportingPeriods,
  periodStepMutation,
} from '../api/queries';
import { Problem } from '../components/Status';
import { PERIOD_STATUS_LABEL, formatInstant } from '../format';
import {
  IntentIds,
  PERIOD_STEP_TEXT,
  PERIOD_TEXT_MAX_LENGTH,
  type PeriodStepKind,
  STEP_MUTATION,
  STEP_VERB,
  periodSteps,
  refusalWords,
  sendLabel,
  stepConsequence,
  stepTextLabel,
  takesSteps,
  utcToday,
} from '../period-steps';

/** One agency's period as the page shows it: the api's row, and whether it is still to submit. */
export interface PeriodLine extends AgencyPeriodRow {
  /** Ended (before the status date, default today) and never submitted: unsubmittedPeriods. */
  readonly toSubmit: boolean;
  /** Returned and not resubmitted: returnedPeriods. */
  readonly toResubmit: boolean;
}

/**
 * The api's answer folded to one line per agency × period (periodApprovals repeats the agency's
 * sign-off once per measure it reports for; the status is the agency's, docs/periods.md), in
 * period order as the api gives them.
 */
export function periodLines(answer: ReportingPeriods): PeriodLine[] {
  const key = (p: { agencyId: string; periodId: string }) => `${p.agencyId}\u001f${p.periodId}`;
  const unsubmitted = new Set(answer.unsubmittedPeriods.map(key));
  const returned = new Set(answer.returnedPeriods.map(key));
  const lines = new Map<string, PeriodLine>();
  for (const row of answer.periodApprovals) {
    if (lines.has(key(row))) continue;
    const { measureCode: _measure, ...period } = row;
    lines.set(key(row), { ...period, toSubmit: unsubmitted.has(key(row)), toResubmit: returned.has(key(row)) });
  }
  return [...lines.values()];
}

/** A period's status in words: an open one is either still to submit (it has ended) or not over yet. */
export function periodStatusText(p: PeriodLine): string {
  if (p.status === 'OPEN') return p.toSubmit ? `To submit (ended ${p.to})` : 'Open (the period is not over)';
  if (p.status === 'RETURNED') return `${PERIOD_STATUS_LABEL.RETURNED}: to correct and submit again`;
  if (p.status === 'APPROVED' && p.approvals > 1) return `${PERIOD_STATUS_LABEL.APPROVED}, approved ${p.approvals}×`;
  return PERIOD_STATUS_LABEL[p.status];
}

/** The open step form: which period, which step. */
interface OpenStep {
  readonly periodId: string;
  readonly step: PeriodStepKind;
}

/**
 * Reporting periods and their sign-offs (docs/periods.md): an agency sees its own — what is still
 * to submit, what the coordinator returned and why, what is approved and locked — and submits an
 * ended period; coordinators see the same for the agency chosen (`?agency=`, linked from the
 * agencies page) and approve, return or reopen it; auditors read. Each step is the api's mutation,
 * offered only where the api's rules allow it (period-steps.ts), then the page is read again at
 * the step's position so the new status shows at once.
 */
export function PeriodsPage() {
  const session = useSession();
  const { at, asOf } = useTimeTravel();
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const own = session.me.role === 'AGENCY' ? session.me.agencyId : null;
  const chosen = own ?? search.get('agency') ?? '';
  const register = useQuery<Agencies>(AGENCIES, { planId: session.plan.id }, { subject: session.plan.id });
  const agencies = (register.data?.agencies ?? []).filter((a) => a.kind !== 'GROUP');
  // After a step: read at least up to its position (read-your-writes), the table staying on screen meanwhile.
  const [readAfter, setReadAfter] = useState<string | null>(null);
  const [openStep, setOpenStep] = useState<OpenStep | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const intents = useRef(new IntentIds());
  const doneRef = useRef<HTMLParagraphElement>(null);
  // Another agency or point: no form or message of the last one stays open.
  useEffect(() => {
    setOpenStep(null);
    setDone(null);
  }, [chosen, at?.position, at?.recordedAt]);
  useEffect(() => {
    if (done) doneRef.current?.focus();
  }, [done]);
  const result = useQuery<ReportingPeriods>(
    chosen ? REPORTING_PERIODS : null,
    { planId: session.plan.id, agencyId: chosen, asOf, at, ...(readAfter ? { atLeastPosition: readAfter } : {}) },
    { subject: [session.plan.id, chosen, asOf, at] },
  );
  const name = agencies.find((a) => a.id === chosen)?.name ?? chosen;
  const lines = result.data ? periodLines(result.data) : [];
  const toSubmit = lines.filter((p) => p.toSubmit);
  const returned = lines.filter((p) => p.toResubmit);
  const awaiting = lines.filter((p) => p.status === 'SUBMITTED');
  const acting = takesSteps(session.me.role) && at === null;
  const stepContext = { role: session.me.role, ownAgencyId: session.me.agencyId, pastPoint: at !== null, today: utcToday() };
  const columns = acting ? 6 : 5;

  const stepTaken = (taken: OpenStep, receipt: PeriodReceipt) => {
    setOpenStep(null);
    setReadAfter(receipt.position);
    setDone(
      `${STEP_VERB[taken.step]} ${taken.periodId} of ${name}: ${receipt.duplicate ? 'already done by this same request, nothing new stored' : 'done'}. ` +
        `The period is now ${PERIOD_STATUS_LABEL[receipt.status].charAt(0).toLowerCase()}${PERIOD_STATUS_LABEL[receipt.status].slice(1)}.`,
    );
  };

  return (
    <>
      <h1>Reporting periods</h1>
      {own === null && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>
            Agency{' '}
            <select value={chosen} onChange={(e) => navigate(e.target.value ? `/periods?agency=${encodeURIComponent(e.target.value)}` : '/periods')}>
              <option value="">choose an agency</option>
              {agencies.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.name}
                </option>
              ))}
            </select>
          </label>
        </form>
      )}
      {!chosen ? (
        <p className="hint">
          Choose an agency, or see every agency's periods at a glance on the <Link href="/agencies">agencies page</Link>.
        </p>
      ) : result.error ? (
        <Problem error={result.error} />
      ) : !result.data ? (
        <p className="loading">Loading the reporting periods…</p>
      ) : lines.length === 0 ? (
        <p className="hint">{name} reports on no measure of this plan: it has no reporting periods.</p>
      ) : (
        <>
          <ul className="period-summary" data-testid="period-summary">
            <li data-testid="to-submit">
              {toSubmit.length === 0
                ? 'Nothing to submit: every period that has ended is submitted.'
                : withUnbrokenDates(`To submit (ended, never submitted): ${toSubmit.map((p) => p.periodId).join(', ')}.`)}
            </li>
            {returned.length > 0 && (
              <li data-testid="returned">
                Returned by the coordinator, to correct and submit again:{' '}
                {withUnbrokenDates(`${returned.map((p) => `${p.periodId}${p.comment ? ` ("${p.comment}")` : ''}`).join('; ')}.`)}
              </li>
            )}
            {awaiting.length > 0 && <li>{withUnbrokenDates(`Awaiting the coordinator's approval: ${awaiting.map((p) => p.periodId).join(', ')}.`)}</li>}
          </ul>
          <p role="status" className="step-done" data-testid="step-done" ref={doneRef} tabIndex={-1} hidden={!done}>
            {done}
          </p>
          <table className="data fits" data-testid="periods">
            <caption>{own === null ? name : `${name}: your reporting periods`}</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col" className="wide">
                  Dates
                </th>
                <th scope="col">Status</th>
                <th scope="col">Latest comment</th>
                <th scope="col" className="wide">
                  Last step recorded
                </th>
                {acting && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {lines.flatMap((p) => {
                const steps = acting ? periodSteps(p, stepContext) : [];
                const formOpen = openStep?.periodId === p.periodId && steps.includes(openStep.step) ? openStep : null;
                const row = (
                  <tr key={p.periodId} data-period={p.periodId} data-status={p.status}>
                    <th scope="row">{p.periodId}</th>
                    <td className="date wide">
                      {p.from} – {p.to}
                    </td>
                    <td data-testid="period-status">{withUnbrokenDates(periodStatusText(p))}</td>
                    <td data-testid="period-comment">{p.status === 'REOPENED' ? (p.reason ? `Reopened: ${p.reason}` : '—') : (p.comment ?? '—')}</td>
                    <td className="wide">{p.lastRecordedAt ? formatInstant(p.lastRecordedAt) : '—'}</td>
                    {acting && (
                      <td data-testid="period-actions">
                        <div className="step-buttons">
                          {steps.length === 0
                            ? '—'
                            : steps.map((step) => (
                                <button
                                  key={step}
                                  id={stepButtonId(p.periodId, step)}
                                  type="button"
                                  aria-expanded={formOpen?.step === step}
                                  aria-controls={formOpen?.step === step ? stepFormId(p.periodId) : undefined}
                                  onClick={() => {
                                    setDone(null);
                                    setOpenStep(formOpen?.step === step ? null : { periodId: p.periodId, step });
                                  }}
                                >
                                  {STEP_VERB[step]}
                                  <span className="visually-hidden">
                                    {' '}
                                    {p.periodId} of {name}
                                  </span>
                                </button>
                              ))}
                        </div>
                      </td>
                    )}
                  </tr>
                );
                if (!formOpen) return [row];
                return [
                  row,
                  <tr key={`${p.periodId}-step`} className="step-row">
                    <td colSpan={columns}>
                      <StepForm
                        step={formOpen.step}
                        period={p}
                        planId={session.plan.id}
                        agencyName={name}
                        intents={intents.current}
                        onTaken={(receipt) => stepTaken(formOpen, receipt)}
                        onCancel={() => {
                          // Back to the button that opened it, for keyboard users.
                          document.getElementById(stepButtonId(p.periodId, formOpen.step))?.focus();
                          setOpenStep(null);
                        }}
                      />
                    </td>
                  </tr>,
                ];
              })}
            </tbody>
          </table>
          <p className="hint">
            {at !== null
              ? 'This is the ledger at a past point: no step can be taken on it.'
              : session.me.role === 'AGENCY'
                ? 'Submit a period once it has ended; while it is approved, its reports cannot be recorded, corrected or retracted.'
                : acting
                  ? 'Approve a submitted period (its reports are then locked), return it with a comment saying what to change, or reopen an approved one with a reason.'
                  : 'Read only: agencies submit their periods, the coordinator approves, returns and reopens them.'}{' '}
            The same steps are the GraphQL mutations submitPeriod, approvePeriod, returnPeriod and reopenPeriod (<a href="/graphql">GraphiQL</a>).
          </p>
        </>
      )}
    </>
  );
}

/**
 * A text with each date and period id in it (2023-03-31, 2023-Q1, 2023-05) kept on one line: a
 * phone's narrow column breaks them at their hyphens otherwise.
 */
function withUnbrokenDates(text: string) {
  return text.split(/(\d{4}-(?:\d{2}-\d{2}|Q[1-4]|\d{2}))/).map((part, i) => (i % 2 === 1 ? <span key={i} className="nowrap">{part}</span> : part));
}

const stepFormId = (periodId: string): string => `step-${periodId}`;
const stepButtonId = (periodId: string, step: PeriodStepKind): string => `step-${periodId}-${step}-button`;

/**
 * One step on one period: what it does, its comment or reason, and the button that sends it.
 * Opening it is the first click, sending it the second: approving and reopening lock and unlock
 * figures, so they are confirmed in words before they are sent. A refusal is shown here, in the
 * api's words, and nothing else on the page changes.
 */
function StepForm(props: {
  step: PeriodStepKind;
  period: PeriodLine;
  planId: string;
  agencyName: string;
  intents: IntentIds;
  onTaken: (receipt: PeriodReceipt) => void;
  onCancel: () => void;
}) {
  const { step, period, agencyName } = props;
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<{ words: string; field: string | null } | null>(null);
  // Set at once (a state update lands after the event): a second click of a double click sends nothing.
  const sending = useRef(false);
  const field = PERIOD_STEP_TEXT[step];
  const id = stepFormId(period.periodId);
  const textRef = useRef<HTMLTextAreaElement>(null);
  useEffect(() => textRef.current?.focus(), []);

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setRefusal(null);
    const requestId = props.intents.idFor(step, period.agencyId, period.periodId, text);
    const input = {
      planId: props.planId,
      periodId: period.periodId,
      requestId,
      ...(step === 'submit' ? {} : { agencyId: period.agencyId }),
      // A required text goes as typed (the api says what is missing); an optional blank one not at all.
      ...(field.required || text.trim() ? { [field.field]: text } : {}),
    };
    try {
      const answer = await gql<{ step: PeriodReceipt | null }>(periodStepMutation(STEP_MUTATION[step]), { input });
      if (!answer.step) throw new Error('The api answered without a receipt');
      props.intents.done();
      props.onTaken(answer.step);
    } catch (error) {
      if (error instanceof GraphQLRequestError) {
        const words = [...new Set(error.errors.map(refusalWords))].join(' ');
        setRefusal({ words, field: error.errors.find((e) => e.extensions?.field)?.extensions?.field ?? null });
      } else {
        setRefusal({
          words: `The api could not be reached, or its answer was lost (${(error as Error).message}). Send again: it is the same request, so it is never taken twice.`,
          field: null,
        });
      }
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };

  const label = `${STEP_VERB[step]} ${period.periodId} of ${agencyName}`;
  const textInvalid = refusal?.field === `input.${field.field}`;
  return (
    <form id={id} className="step-form" aria-label={label} onSubmit={(e) => void send(e)} noValidate data-testid="step-form">
      <p>{stepConsequence(step, period, agencyName)}</p>
      <label htmlFor={`${id}-text`}>{stepTextLabel(step)}</label>
      <textarea
        id={`${id}-text`}
        ref={textRef}
        value={text}
        maxLength={PERIOD_TEXT_MAX_LENGTH}
        rows={2}
        aria-required={field.required}
        aria-invalid={textInvalid || undefined}
        aria-describedby={refusal ? `${id}-refusal` : undefined}
        onChange={(e) => setText(e.target.value)}
      />
      <div className="step-send">
        <button type="submit" disabled={busy}>
          {busy ? 'Sending…' : sendLabel(step, period.periodId, agencyName)}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {refusal && (
        <p role="alert" className="problem" id={`${id}-refusal`} data-testid="step-refusal">
          {refusal.words}
        </p>
      )}
    </form>
  );
}
