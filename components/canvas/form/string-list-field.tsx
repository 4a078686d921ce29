'use client';

import { useState } from 'react';
import type { ControlProps } from '../../ui/field';
import { Textarea } from '../../ui/textarea';

interface StringListFieldProps {
  control: ControlProps;
  value: unknown;
  onChange: (value: string[] | undefined) => void;
  testId: string;
}

/** A list of texts, one per line. Blank lines are ignored. */
export function StringListField({ control, value, onChange, testId }: StringListFieldProps) {
  const [text, setText] = useState(() => (Array.isArray(value) ? value.map(String).join('\n') : ''));
  const { invalid, ...rest } = control;
  return (
    <Textarea
      {...rest}
      invalid={invalid}
      rows={Math.min(8, Math.max(3, text.split('\n').length + 1))}
      value={text}
      placeholder="One per line"
      onChange={(e) => {
        setText(e.target.value);
        const items = e.target.value
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean);
        onChange(items.length ? items : undefined);
      }}
      data-testid={testId}
    />
  );
}
