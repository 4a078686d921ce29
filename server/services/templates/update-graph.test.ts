import { describe, expect, it } from 'vitest';
import type { FlowGraph } from '../../engine/graph';
import { carriedValues, previewValues, updatedFlowGraph } from './update-graph';

const needs = {
  credentials: [{ name: 'slack', type: 'slack_webhook' }],
  inputs: [
    { name: 'channel', label: 'Channel', type: 'text' as const },
    { name: 'greeting', label: 'Greeting', type: 'text' as const, default: 'Hello' },
  ],
};

const template: FlowGraph = {
  nodes: [
    { id: 'hook', type: 'webhook', options: {}, position: { x: 0, y: 0 } },
    { id: 'post', type: 'slack', label: 'Post to $input:channel', options: { credential: '$credential:slack', channel: '$input:channel', text: '$input:greeting, {{ name }}' }, position: { x: 300, y: 0 } },
    { id: 'bye', type: 'transform', options: { template: { message: 'Bye' } }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { source: 'hook', target: 'post' },
    { source: 'post', target: 'bye' },
  ],
};

const current: FlowGraph = {
  nodes: [
    { id: 'hook', type: 'webhook', options: {}, position: { x: 40, y: 400 } },
    { id: 'post', type: 'slack', options: { credential: 'cred-1', channel: '#ops', text: 'Hi' }, position: { x: 500, y: 420 } },
    { id: 'gone', type: 'filter', options: {}, position: { x: 900, y: 0 } },
  ],
  edges: [{ source: 'hook', target: 'post' }],
  notes: [
    { id: 'note_1', text: 'Ask Kim before changing', position: { x: 0, y: -200 } },
    // A note that now clashes with a step of the new version cannot stay under that id.
    { id: 'bye', text: 'clash', position: { x: 0, y: -400 } },
  ],
};

describe('carriedValues', () => {
  it('keeps only what the new version still declares', () => {
    const carried = carriedValues(needs, { credentials: { slack: 'cred-1', jira: 'cred-2' }, inputs: { channel: '#ops', project: 'OPS' } });
    expect(carried).toEqual({ credentials: { slack: 'cred-1' }, inputs: { channel: '#ops' } });
  });
});

describe('previewValues', () => {
  it('adds suggested values where the flow has none, without overriding chosen ones', () => {
    expect(previewValues(needs, { credentials: {}, inputs: { channel: '#ops' } }).inputs).toEqual({ channel: '#ops', greeting: 'Hello' });
    expect(previewValues(needs, { credentials: {}, inputs: { greeting: 'Hey' } }).inputs).toEqual({ greeting: 'Hey' });
  });
});

describe('updatedFlowGraph', () => {
  it('fills the template with the flow’s values, keeps positions of kept steps and the user’s notes', () => {
    const next = updatedFlowGraph(current, template, { credentials: { slack: 'cred-1' }, inputs: { channel: '#ops', greeting: 'Hey' } });
    expect(next.nodes.map((n) => n.id)).toEqual(['hook', 'post', 'bye']);
    const post = next.nodes[1]!;
    expect(post.options).toEqual({ credential: 'cred-1', channel: '#ops', text: 'Hey, {{ name }}' });
    expect(post.label).toBe('Post to #ops');
    expect(post.position).toEqual({ x: 500, y: 420 });
    expect(next.nodes[2]!.position).toEqual({ x: 600, y: 0 });
    expect(next.edges).toEqual(template.edges);
    expect(next.notes?.map((n) => n.id)).toEqual(['note_1']);
    // The template itself is not changed.
    expect(template.nodes[1]!.options.channel).toBe('$input:channel');
  });

  it('refuses missing values, unless asked to leave them as placeholders for a preview', () => {
    const values = { credentials: {}, inputs: { greeting: 'Hey' } };
    expect(() => updatedFlowGraph(current, template, values)).toThrow(/No credential given for "slack"/);
    const preview = updatedFlowGraph(current, template, values, { keepMissing: true });
    expect(preview.nodes[1]!.options).toEqual({ credential: '$credential:slack', channel: '$input:channel', text: 'Hey, {{ name }}' });
    expect(preview.nodes[1]!.label).toBe('Post to $input:channel');
  });

  it('adds no notes key when the flow has none', () => {
    const next = updatedFlowGraph({ nodes: [], edges: [] }, template, { credentials: { slack: 'c' }, inputs: { channel: '#a', greeting: 'x' } });
    expect('notes' in next).toBe(false);
  });
});
