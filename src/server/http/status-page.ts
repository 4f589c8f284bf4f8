/**
 * Status lines and the small HTML error pages nginx sends
 * (ngx_http_special_response.c), signed "onair" instead of "nginx".
 */

/** nginx's reason phrases (405 is "Not Allowed" in nginx). */
export const REASONS: Readonly<Record<number, string>> = {
  200: "OK",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Moved Temporarily",
  304: "Not Modified",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Not Allowed",
  408: "Request Time-out",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  414: "Request-URI Too Large",
  416: "Requested Range Not Satisfiable",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Temporarily Unavailable",
};

/** Statuses after which nginx drops keep-alive (ngx_http_special_response_handler). */
export const CLOSING_STATUSES: ReadonlySet<number> = new Set([400, 408, 413, 414, 431, 500, 501]);

/** Statuses on which add_header applies without `always` (ngx_http_headers_filter). */
export const ADD_HEADER_STATUSES: ReadonlySet<number> = new Set([
  200, 201, 204, 206, 301, 302, 303, 304, 307, 308,
]);

const cache = new Map<number, Buffer>();

export function statusPage(status: number): Buffer {
  let page = cache.get(status);
  if (!page) {
    const title = `${status} ${REASONS[status] ?? "Unknown"}`;
    page = Buffer.from(
      `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
        "<hr><center>onair</center>\r\n</body>\r\n</html>\r\n",
    );
    cache.set(status, page);
  }
  return page;
}
