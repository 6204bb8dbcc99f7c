/**
 * The extension's test-only view of what the user would see, returned by the internal command
 * `crit._test.state` (not contributed to the palette). Kept apart from the features module so the
 * extension-host tests can import it without bundling the extension.
 */
import type { LandscapeRef } from '../../server/src/protocol';
import type { StatusView } from './statusBar';
import type { PlotTarget } from './webviewMessages';
import type { RenderRecord } from './plotPanels';

export const TEST_STATE_COMMAND = 'crit._test.state';

export interface CritTestState {
  statusText: string;
  status: StatusView;
  /** Every 'rendered' report of every plot page, in order. */
  renders: RenderRecord[];
  openPlots: PlotTarget[];
  /** The last `crit/resultChanged` the server sent. */
  lastResult?: LandscapeRef & { version: number; achieved: boolean };
}
