// Starts Swagger UI on /docs. A file, not an inline script, so the page keeps script-src 'self'.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the default badge would call validator.swagger.io
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
