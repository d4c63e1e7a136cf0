/** What every chart of the agent view gets: both buffers and the window. */
import { useMemo } from 'react';
import { joinSeries, type Joined, type SeriesBuffer } from '../series.js';

export interface SeriesView {
  history: SeriesBuffer | null;
  live: SeriesBuffer;
  /** Bumps on every live sample. */
  version: number;
  /** Window, Unix seconds. */
  from: number;
  to: number;
}

/** The joined columns of `names` for the view's window (recomputed per sample). */
export function useJoined(view: SeriesView, names: readonly string[]): Joined {
  const key = names.join(',');
  return useMemo(
    () => joinSeries(view.history, view.live, key.length ? key.split(',') : [], view.from),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the live buffer grows in place: version is what changes
    [view.history, view.live, view.version, view.from, key],
  );
}
