import type { ComponentPropsWithoutRef, ElementType } from 'react';
import ReactMarkdown, { type Components, type ExtraProps } from 'react-markdown';
import { cn } from './cn';

/** A Markdown element with our classes; drops react-markdown's `node` prop so it never reaches the DOM. */
function styled<T extends ElementType>(Tag: T, className: string) {
  function StyledElement({ node: _node, ...props }: ComponentPropsWithoutRef<T> & ExtraProps) {
    const Component = Tag as ElementType;
    return <Component className={className} {...props} />;
  }
  return StyledElement;
}

const components: Components = {
  p: styled('p', 'my-2 first:mt-0 last:mb-0'),
  ul: styled('ul', 'my-2 list-disc space-y-1 pl-5'),
  ol: styled('ol', 'my-2 list-decimal space-y-1 pl-5'),
  code: styled(
    'code',
    'rounded bg-slate-100 px-1 py-0.5 font-mono text-[0.85em] text-slate-800 dark:bg-slate-800 dark:text-slate-200',
  ),
  strong: styled('strong', 'font-semibold text-slate-900 dark:text-slate-100'),
  a: ({ node: _node, ...props }) => (
    <a className="text-indigo-600 underline dark:text-indigo-400" target="_blank" rel="noreferrer" {...props} />
  ),
};

/** Agent descriptions are Markdown from our own code; raw HTML is still not rendered. */
export function Markdown({ children, className }: { children: string; className?: string }) {
  return (
    <div className={cn('text-sm leading-relaxed text-slate-600 dark:text-slate-400', className)}>
      <ReactMarkdown components={components}>{children}</ReactMarkdown>
    </div>
  );
}
