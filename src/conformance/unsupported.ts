/**
 * Finds the first SCXML feature of a document that the converter cannot map
 * faithfully onto XState v5, so a test is reported as skipped with that reason
 * instead of being silently mistranslated.
 */
import { childrenNamed, descendants, type XmlElement } from './xml.js';

const KNOWN = new Set([
  'scxml',
  'state',
  'parallel',
  'final',
  'history',
  'initial',
  'transition',
  'onentry',
  'onexit',
  'datamodel',
  'data',
  'invoke',
  'content',
  'param',
  'donedata',
  'raise',
  'send',
  'cancel',
  'assign',
  'log',
  'if',
  'elseif',
  'else',
  'foreach',
]);

/** Event processor types that mean "another SCXML session" (the only one modelled). */
export const SCXML_PROCESSOR = new Set([
  'http://www.w3.org/TR/scxml/#SCXMLEventProcessor',
  'http://www.w3.org/TR/scxml/',
  'scxml',
]);

/** `In('id')` or `!In('id')` as a whole condition: XState's `stateIn` guard. */
export const SIMPLE_IN = /^\s*(!)?\s*In\(\s*['"]([^'"]+)['"]\s*\)\s*$/;

const EXPRESSION_ATTRS = [
  'cond',
  'expr',
  'location',
  'array',
  'namelist',
  'sendidexpr',
  'delayexpr',
  'eventexpr',
];

const SYSTEM_VARIABLES: [RegExp, string][] = [
  [/\b_sessionid\b/, '_sessionid system variable'],
  [/\b_ioprocessors\b/, '_ioprocessors system variable'],
  [/\b_x\b/, '_x system variable'],
  [
    /_event\s*\.\s*(origin|origintype|sendid|invokeid|type)\b|['"](origin|origintype|sendid|invokeid|type)['"]\s+in\s+_event/,
    '_event metadata (origin, origintype, sendid, invokeid, type) that XState events do not carry',
  ],
];

export function unsupportedFeature(root: XmlElement): string | undefined {
  for (const element of descendants(root)) {
    const reason = elementProblem(element) ?? expressionProblem(element);
    if (reason) return reason;
  }
  return undefined;
}

function elementProblem(el: XmlElement): string | undefined {
  const a = el.attrs;
  if (el.name === 'script') return '<script>';
  if (el.name === 'finalize') return '<finalize> in <invoke>';
  if (!KNOWN.has(el.name)) return `<${el.name}> element`;
  switch (el.name) {
    case 'scxml':
      if (a.datamodel !== undefined && a.datamodel !== 'ecmascript')
        return `datamodel="${a.datamodel}" (only ECMAScript is modelled)`;
      if (a.binding === 'late') return 'late data binding (binding="late")';
      return initialProblem(el);
    case 'state':
      return initialProblem(el);
    case 'data':
      if (a.src !== undefined) return '<data src> (external data)';
      return el.children.length > 0 ? 'XML markup in <data>' : undefined;
    case 'send':
      return sendProblem(el);
    case 'invoke':
      return invokeProblem(el);
    case 'history':
      return defaultTransitionProblem(el, 'history');
    case 'initial':
      return defaultTransitionProblem(el, 'initial');
    case 'donedata':
      return markupContent(el);
    default:
      return undefined;
  }
}

function sendProblem(el: XmlElement): string | undefined {
  const a = el.attrs;
  if (a.targetexpr !== undefined) return '<send targetexpr>';
  if (a.typeexpr !== undefined) return '<send typeexpr>';
  if (a.type !== undefined && !SCXML_PROCESSOR.has(a.type))
    return `<send type="${a.type}"> (I/O processor other than SCXML)`;
  const markup = markupContent(el);
  if (markup) return markup;
  const target = a.target;
  if (target === undefined || target === '#_internal' || target === '#_parent') return undefined;
  if (/^#_[A-Za-z0-9]/.test(target) && !target.startsWith('#_scxml_')) return undefined;
  return `<send target="${target}"> (other sessions and I/O processors)`;
}

function markupContent(el: XmlElement): string | undefined {
  return childrenNamed(el, 'content').some((c) => c.children.length > 0)
    ? `XML markup in <${el.name}><content>`
    : undefined;
}

function invokeProblem(el: XmlElement): string | undefined {
  const a = el.attrs;
  if (a.src !== undefined || a.srcexpr !== undefined) return '<invoke src> (external document)';
  if (a.typeexpr !== undefined) return '<invoke typeexpr>';
  if (a.type !== undefined && !SCXML_PROCESSOR.has(a.type)) return `<invoke type="${a.type}">`;
  if (a.autoforward === 'true') return '<invoke autoforward> (gone from XState v5)';
  if (a.idlocation !== undefined) return '<invoke idlocation> (generated invoke ids)';
  const content = childrenNamed(el, 'content')[0];
  if (!content || content.attrs.expr !== undefined || childrenNamed(content, 'scxml').length !== 1)
    return '<invoke> without one inline <scxml> in <content>';
  return undefined;
}

function defaultTransitionProblem(el: XmlElement, what: string): string | undefined {
  const transition = childrenNamed(el, 'transition')[0];
  if (!transition) return what === 'history' ? undefined : `<initial> without a transition`;
  if (transition.children.length > 0) return `executable content in an <${what}> transition`;
  const targets = (transition.attrs.target ?? '').trim().split(/\s+/).filter(Boolean);
  if (targets.length !== 1) return `<${what}> transition with ${targets.length} targets`;
  return undefined;
}

/** XState's `initial` names one child state: several, or a deeper one, cannot be expressed. */
function initialProblem(el: XmlElement): string | undefined {
  const element = childrenNamed(el, 'initial')[0];
  const initial =
    el.attrs.initial ?? (element && childrenNamed(element, 'transition')[0]?.attrs.target);
  if (initial === undefined) return undefined;
  const targets = initial.trim().split(/\s+/).filter(Boolean);
  if (targets.length > 1) return `several initial states ("${initial}")`;
  const children = el.children.filter((c) => STATE_ELEMENTS.has(c.name)).map((c) => c.attrs.id);
  if (targets[0] !== undefined && !children.includes(targets[0]))
    return `initial state "${targets[0]}" is not a child (deep initial target)`;
  return undefined;
}

export const STATE_ELEMENTS = new Set(['state', 'parallel', 'final', 'history']);

function expressionProblem(el: XmlElement): string | undefined {
  const sources = EXPRESSION_ATTRS.map((name) => el.attrs[name]).filter(
    (v): v is string => v !== undefined,
  );
  if (['content', 'data', 'assign'].includes(el.name) && el.children.length === 0)
    sources.push(el.text);
  for (const source of sources) {
    for (const [pattern, reason] of SYSTEM_VARIABLES) if (pattern.test(source)) return reason;
    if (/\bIn\s*\(/.test(source) && !(el.attrs.cond === source && SIMPLE_IN.test(source)))
      return 'In() inside a larger expression (only a whole In(...) condition maps to stateIn)';
  }
  return undefined;
}
