/** The few jstat functions the evaluation uses (the package ships no types). */
declare module 'jstat' {
  const jstat: {
    jStat: {
      studentt: { inv(p: number, dof: number): number };
      normal: { inv(p: number, mean: number, sd: number): number };
    };
  };
  // The package is CommonJS: its exports arrive as the default import.
  // eslint-disable-next-line import-x/no-default-export
  export default jstat;
}
