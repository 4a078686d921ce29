import { describe, expect, it } from 'vitest';
import { jiraAgent } from './jira';
import { mavenlinkAgent } from './mavenlink';

function problems(schema: { safeParse: (v: unknown) => { error?: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, options: object) {
  return (schema.safeParse({ credential: 'c', ...options }).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('options an action cannot do without', () => {
  it('JIRA: names each missing field of the chosen action, and only of that action', () => {
    expect(problems(jiraAgent.options, { action: 'create_issue', summary: '  ' })).toEqual([
      'project: Enter the project key, e.g. OPS',
      'summary: Enter the summary of the new issue',
    ]);
    expect(problems(jiraAgent.options, { action: 'transition', issue: '' })).toEqual([
      'issue: Enter the issue key, e.g. {{ issue.key }}. If you did, the field it uses is missing from this event',
      'status: Enter the status to move the issue to, e.g. Done',
    ]);
    expect(problems(jiraAgent.options, { action: 'poll' })).toEqual(['jql: Enter the JQL of the issues to watch, e.g. project = OPS']);
    expect(problems(jiraAgent.options, { action: 'add_comment', issue: 'OPS-1', comment: null })).toEqual(['comment: Enter the comment text']);
    expect(problems(jiraAgent.options, { action: 'get_issue', issue: 'OPS-1' })).toEqual([]);
  });

  it('Mavenlink: an id for get and update, attributes for create and update', () => {
    expect(problems(mavenlinkAgent.options, { action: 'update_story', id: ' ' })).toEqual([
      'id: Enter the id of the object, e.g. {{ story.id }}. If you did, the field it uses is missing from this event',
      'attributes: Enter the fields to set, e.g. {"title": "…"}',
    ]);
    expect(problems(mavenlinkAgent.options, { action: 'create_time_entry' })).toEqual(['attributes: Enter the fields to set, e.g. {"title": "…"}']);
    expect(problems(mavenlinkAgent.options, { action: 'get_story', id: 0 })).toEqual([]);
    expect(problems(mavenlinkAgent.options, { action: 'list_stories' })).toEqual([]);
  });
});
