'use client';

import { useState } from 'react';
import { Input } from '../../ui/input';
import { Textarea } from '../../ui/textarea';
import type { ControlProps } from '../../ui/field';
import { useFormContext } from './form-context';
import { formatLoose, parseLoose, parseObject } from './json-text';

interface JsonFieldProps {
  control: ControlProps;
  path: string;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Only a JSON object is accepted (e.g. a transform template). */
  objectOnly?: boolean;
  /** One line, for values inside lists such as a filter rule's value. */
  inline?: boolean;
  testId: string;
}

/**
 * Free JSON. Keeps the typed text locally so a half-typed object is not lost; the store only
 * receives values that parse, and the error is reported so saving waits until it is fixed.
 */
export function JsonField({ control, path, value, onChange, objectOnly, inline, testId }: JsonFieldProps) {
  const { jsonDraft, setJsonDraft } = useFormContext();
  const [text, setText] = useState(
    () => jsonDraft(path) ?? (objectOnly ? (value === undefined ? '' : JSON.stringify(value, null, 2)) : formatLoose(value, !inline)),
  );

  function change(next: string) {
    setText(next);
    const parsed = objectOnly ? parseObject(next) : parseLoose(next);
    if (parsed.ok) {
      setJsonDraft(path, null);
      onChange(parsed.value);
    } else {
      setJsonDraft(path, { text: next, message: parsed.message });
    }
  }

  const { invalid, ...rest } = control;
  if (inline) {
    return <Input {...rest} invalid={invalid} value={text} onChange={(e) => change(e.target.value)} data-testid={testId} spellCheck={false} />;
  }
  return (
    <Textarea
      {...rest}
      invalid={invalid}
      mono
      rows={Math.min(14, Math.max(4, text.split('\n').length + 1))}
      value={text}
      onChange={(e) => change(e.target.value)}
      data-testid={testId}
    />
  );
}
