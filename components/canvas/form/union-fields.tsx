'use client';

import { Select } from '../../ui/select';
import { discriminatorOf, emptyValue, pickVariant, variantLabel, type JsonSchema } from '../schema/json-schema';
import { testIdOf, useFormContext } from './form-context';
import { ObjectFields } from './object-fields';

interface UnionFieldsProps {
  /** The alternatives, each an object schema. */
  variants: JsonSchema[];
  path: string;
  value: unknown;
  onChange: (value: unknown) => void;
  /** Names the picker for screen readers, e.g. "Rule 2". */
  label: string;
  compact?: boolean;
}

/**
 * A value that is one of several shapes (a condition or a group of rules; a JIRA or a Mavenlink
 * side): a picker for the shape, then that shape's fields. Switching shape starts it fresh.
 */
export function UnionFields({ variants, path, value, onChange, label, compact }: UnionFieldsProps) {
  const { root } = useFormContext();
  const discriminator = discriminatorOf(variants, root);
  const active = pickVariant(variants, value, root);
  const schema = variants[active] ?? {};
  return (
    <div className="space-y-3">
      <Select
        aria-label={`${label}: kind`}
        value={active}
        onChange={(e) => onChange(emptyValue(variants[Number(e.target.value)] ?? {}, root))}
        data-testid={`${testIdOf(path)}-kind`}
      >
        {variants.map((v, i) => (
          <option key={i} value={i}>
            {variantLabel(v, root, discriminator, i)}
          </option>
        ))}
      </Select>
      <ObjectFields schema={schema} path={path} value={value} onChange={onChange} compact={compact} />
    </div>
  );
}
