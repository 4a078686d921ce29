import type { Ref, SelectHTMLAttributes } from 'react';
import { cn } from './cn';
import { borderClass, controlClass } from './input';

export interface SelectProps extends SelectHTMLAttributes<HTMLSelectElement> {
  invalid?: boolean;
  ref?: Ref<HTMLSelectElement>;
}

export function Select({ invalid, className, ...props }: SelectProps) {
  return (
    <select
      aria-invalid={invalid || undefined}
      className={cn(controlClass, borderClass(invalid), 'h-9 pr-8', className)}
      {...props}
    />
  );
}
