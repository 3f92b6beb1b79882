import type { ChannelHold } from '../api/types';
import { Time } from './bits';

/** A hold as people read it: who, since when, until when, and why. */
export function HoldFacts(props: { hold: ChannelHold }) {
  const { hold } = props;
  return (
    <>
      Held by <strong>{hold.held_by}</strong> since <Time iso={hold.created_at} />
      {hold.expires_at && (
        <>
          {' '}
          until <Time iso={hold.expires_at} />
        </>
      )}
      : <q>{hold.reason}</q>
    </>
  );
}
