import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { eventDescriptor, scxmlToXState } from './scxml-to-xstate.js';

const doc = (body: string, attrs = '') =>
  `<scxml xmlns="http://www.w3.org/2005/07/scxml" version="1.0" datamodel="ecmascript" ${attrs}>${body}</scxml>`;

function run(xml: string, events: string[] = []) {
  const { machine, skipped } = scxmlToXState(xml, { id: 'm' });
  if (!machine) throw new Error(`skipped: ${skipped}`);
  const actor = createActor(machine, { logger: () => {} }).start();
  for (const type of events) actor.send({ type });
  return actor.getSnapshot();
}

describe('scxmlToXState', () => {
  it('maps SCXML event descriptors onto XState prefix matching and platform events', () => {
    expect(eventDescriptor('foo')).toBe('foo.*');
    expect(eventDescriptor('foo.*')).toBe('foo.*');
    expect(eventDescriptor('foo.')).toBe('foo.*');
    expect(eventDescriptor('*')).toBe('*');
    expect(eventDescriptor('done.state.s1')).toBe('xstate.done.state.s1');
    expect(eventDescriptor('done.invoke.c')).toBe('xstate.done.actor.c');
    expect(eventDescriptor('done.invoke')).toBe('xstate.done.actor.*');
  });

  it('given a prefix descriptor, when a longer event arrives, then the transition is taken', () => {
    const xml = doc('<state id="a"><transition event="foo" target="b"/></state><state id="b"/>');
    expect(run(xml, ['foo.bar']).value).toBe('b');
  });

  it('evaluates the datamodel, conditions, <assign> and <if> against the context', () => {
    const xml = doc(`
      <datamodel><data id="n" expr="1"/><data id="list">[1, 2, 3]</data></datamodel>
      <state id="a">
        <onentry>
          <foreach array="list" item="x"><assign location="n" expr="n + x"/></foreach>
          <if cond="n === 7"><raise event="seven"/><else/><raise event="other"/></if>
        </onentry>
        <transition event="seven" cond="list.length === 3" target="yes"/>
        <transition event="other" target="no"/>
      </state>
      <final id="yes"/><final id="no"/>`);
    const snapshot = run(xml);
    expect(snapshot.value).toBe('yes');
    expect(snapshot.context).toMatchObject({ n: 7, x: 3 });
  });

  it('exposes event data as _event.data and keeps undeclared locations out of the globals', () => {
    const xml = doc(`
      <datamodel><data id="got"/></datamodel>
      <state id="a">
        <onentry><send event="ping"><param name="v" expr="42"/></send></onentry>
        <transition event="ping" target="b"><assign location="got" expr="_event.data.v"/></transition>
      </state>
      <state id="b"><onentry><assign location="leak" expr="1"/></onentry></state>`);
    const { machine } = scxmlToXState(xml, { id: 'm' });
    const actor = createActor(machine!, { logger: () => {} });
    actor.subscribe({ error: () => {} });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error'); // <assign> to an undeclared location throws
    expect('leak' in globalThis).toBe(false);
  });

  it('given an internal transition to a descendant, does not re-enter the source; an external one does', () => {
    const xml = (type: string) =>
      doc(`
      <datamodel><data id="entries" expr="0"/></datamodel>
      <state id="p" initial="c1">
        <onentry><assign location="entries" expr="entries + 1"/></onentry>
        <transition event="go" target="c2" type="${type}"/>
        <state id="c1"/><state id="c2"/>
      </state>`);
    expect(run(xml('internal'), ['go']).context).toEqual({ entries: 1 });
    expect(run(xml('external'), ['go']).context).toEqual({ entries: 2 });
  });

  it('reports what XState cannot express as skipped, with the reason', () => {
    const skip = (body: string, attrs = '') => scxmlToXState(doc(body, attrs), { id: 'm' }).skipped;
    expect(skip('<state id="a"><onentry><script>x = 1</script></onentry></state>')).toBe(
      '<script>',
    );
    expect(skip('<state id="a"><onentry><send event="e" targetexpr="t"/></onentry></state>')).toBe(
      '<send targetexpr>',
    );
    expect(skip('<state id="a"/>', 'binding="late"')).toMatch(/late data binding/);
    expect(skip('<state id="a"/>', 'datamodel="xpath"')).toMatch(/datamodel="xpath"/);
    expect(skip('<state id="a"><transition cond="_sessionid" target="a"/></state>')).toMatch(
      /_sessionid/,
    );
    expect(skip('<state id="a"/>', 'initial="a b"')).toMatch(/several initial states/);
    expect(skip('<state id="a"/>')).toBeUndefined();
  });

  it('invokes an inline child document named in setup({ actors }), which can talk to its parent', () => {
    const xml = doc(`
      <state id="a">
        <invoke id="kid" type="scxml"><content>
          <scxml version="1.0" datamodel="ecmascript"><state id="k">
            <onentry><send target="#_parent" event="hello"/></onentry>
          </state></scxml>
        </content></invoke>
        <transition event="hello" target="b"/>
      </state>
      <state id="b"/>`);
    const { machine } = scxmlToXState(xml, { id: 'm' });
    expect(Object.keys(machine!.implementations.actors)).toEqual(['m_child1']);
    expect(run(xml).value).toBe('b');
  });
});
