const f = (x) => x * 2;
export default f;
