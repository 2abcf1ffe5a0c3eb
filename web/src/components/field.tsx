import { cloneElement, type VNode } from 'preact';
import { useId } from 'preact/hooks';

/**
 * A control with its label, tied by for/id rather than by nesting: a nested select or textbox would lend
 * its value to the accessible name ("Account Demo Account"), and DESIGN §10's names are exact.
 */
export function Field(props: { label: string; children: VNode<{ id?: string }>; class?: string }) {
  const id = useId();
  return (
    <div class={props.class ? `field ${props.class}` : 'field'}>
      <label for={id}>{props.label}</label>
      {cloneElement(props.children, { id })}
    </div>
  );
}
