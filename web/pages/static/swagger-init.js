// Starts Swagger UI on /api/docs from a file, since the Content-Security-Policy forbids inline script.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  window.ui = SwaggerUIBundle({url: container.getAttribute("data-spec-url"), dom_id: "#swagger-ui-container"});
});
