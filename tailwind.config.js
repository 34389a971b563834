/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ["./views/**/*.templ", "./views/**/*.go", "./static/js/*.js"],
  theme: {
    extend: {},
  },
  plugins: [],
};
