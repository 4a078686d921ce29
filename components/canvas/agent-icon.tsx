import { createElement } from 'react';
import {
  ArrowLeftRight,
  Bell,
  Boxes,
  Braces,
  BriefcaseBusiness,
  Calendar,
  CircleAlert,
  Clock,
  Code,
  CopyMinus,
  Database,
  Filter,
  GitBranch,
  GitMerge,
  Globe,
  Hourglass,
  Layers,
  List,
  ListFilter,
  Mail,
  Merge,
  MessageSquare,
  PencilLine,
  Play,
  Repeat,
  Rss,
  Search,
  Send,
  Shuffle,
  Signpost,
  Sparkles,
  Split,
  SquareFunction,
  SquareKanban,
  Table,
  Timer,
  Webhook,
  Zap,
  type LucideIcon,
  type LucideProps,
} from 'lucide-react';

/**
 * The icons agents may name (lucide names, as in `icon: 'Webhook'`). An explicit list keeps the
 * bundle small; an unknown name falls back to its category's icon rather than failing.
 */
const icons: Record<string, LucideIcon> = {
  ArrowLeftRight,
  Bell,
  Boxes,
  Braces,
  BriefcaseBusiness,
  Calendar,
  CircleAlert,
  Clock,
  Code,
  CopyMinus,
  Database,
  Filter,
  GitBranch,
  GitMerge,
  Globe,
  Hourglass,
  Layers,
  List,
  ListFilter,
  Mail,
  Merge,
  MessageSquare,
  PencilLine,
  Play,
  Repeat,
  Rss,
  Search,
  Send,
  Shuffle,
  Signpost,
  Sparkles,
  Split,
  SquareFunction,
  SquareKanban,
  Table,
  Timer,
  Webhook,
  Zap,
};

const categoryIcons: Record<string, LucideIcon> = {
  Triggers: Zap,
  HTTP: Globe,
  'Shape data': Shuffle,
  Decide: GitBranch,
  Memory: Database,
  Time: Clock,
  Code: Code,
  Notify: Bell,
  Apps: Boxes,
};

export function iconFor(name: string | undefined, category?: string): LucideIcon {
  return (name && icons[name]) || (category && categoryIcons[category]) || Boxes;
}

export function AgentIcon({ name, category, ...props }: { name?: string; category?: string } & LucideProps) {
  // The icon components themselves are static (module-level); only the choice among them varies.
  return createElement(iconFor(name, category), { 'aria-hidden': true, ...props });
}
