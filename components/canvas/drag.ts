/** The drag payload type of palette items dropped onto the canvas. */
export const AGENT_DRAG_TYPE = 'application/x-muninn-agent';
