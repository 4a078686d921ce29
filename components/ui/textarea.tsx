import type { Ref, TextareaHTMLAttributes } from 'react';
import { cn } from './cn';
import { borderClass, controlClass } from './input';

export interface TextareaProps extends TextareaHTMLAttributes<HTMLTextAreaElement> {
  invalid?: boolean;
  mono?: boolean;
  ref?: Ref<HTMLTextAreaElement>;
}

export function Textarea({ invalid, mono, className, rows = 4, ...props }: TextareaProps) {
  return (
    <textarea
      rows={rows}
      spellCheck={mono ? false : undefined}
      aria-invalid={invalid || undefined}
      className={cn(controlClass, borderClass(invalid), 'py-2 leading-relaxed', mono && 'font-mono text-xs', className)}
      {...props}
    />
  );
}
