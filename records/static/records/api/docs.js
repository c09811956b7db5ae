// Swagger UI over the API's OpenAPI document (records/templates/records/api/docs.html).
// validatorUrl null: no badge, which would send the document to a validator elsewhere.
"use strict";
(function () {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
  });
})();
