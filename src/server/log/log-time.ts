/** nginx's error-log timestamp: local time, `2024/11/25 17:14:26`. */
export function formatLogTime(d: Date): string {
  const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
  return (
    `${d.getFullYear()}/${p2(d.getMonth() + 1)}/${p2(d.getDate())} ` +
    `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`
  );
}
