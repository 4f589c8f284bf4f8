/**
 * Tests set ONAIR_POISON_BUFFERS=1: memory the RTMP server reuses (payloads
 * read in place, arena slabs) is overwritten with 0xEE when it is given
 * back, so anything that kept a view of it sends garbage and the media
 * checks of the tests fail instead of passing by luck.
 */
export const POISON_BUFFERS = process.env.ONAIR_POISON_BUFFERS === "1";
